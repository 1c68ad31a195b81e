namespace AudioStream.Gateway.Media;

/// <summary>Where a new stream goes: a serving node with room, GPU nodes first, then the most free capacity.</summary>
public static class MediaPlacement
{
    /// <returns>The node, or null when every node is full or draining.</returns>
    public static MediaNode? Choose(IEnumerable<MediaNode> nodes) => nodes
        .Where(node => node.Serving && node.FreeCapacity > 0)
        .OrderByDescending(node => node.Gpu)
        .ThenByDescending(node => node.FreeCapacity)
        .ThenBy(node => node.Streams)
        .ThenBy(node => node.Id, StringComparer.Ordinal)
        .FirstOrDefault();
}
