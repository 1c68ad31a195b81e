namespace AudioStream.MediaService.Nodes;

/// <summary>
/// Configuration section <c>Media</c>: who this media node is in the registry (<see cref="MediaNodeRegistry"/>) and how
/// much it takes. The AppHost sets the id and addresses of each node it declares; on another machine set them yourself.
/// </summary>
public sealed class MediaNodeOptions
{
    public const string SectionName = "Media";

    /// <summary>This node's id in the registry, stable across restarts (a restarted node ends the streams it had). Unset: the host name.</summary>
    public string? NodeId { get; set; }

    /// <summary>
    /// The most live streams this node takes; the gateway places no more on it. Sized from <c>bench</c> and the MediaLoad
    /// benchmark: 16 streams stayed within ~100 ms of plan on a 2-core CPU machine (README, "Live audio under load").
    /// </summary>
    public int MaxStreams { get; set; } = 16;

    /// <summary>The internal HTTP address the gateway reaches this node at. Unset: Kestrel's <c>http</c> endpoint.</summary>
    public string? HttpAddress { get; set; }

    /// <summary>The internal gRPC address recorders subscribe at. Unset: Kestrel's <c>grpc</c> endpoint.</summary>
    public string? GrpcAddress { get; set; }

    /// <summary>On SIGTERM the node takes no new streams and lets live ones run this long before ending them.</summary>
    public double DrainSeconds { get; set; } = 25;

    public TimeSpan DrainDeadline => TimeSpan.FromSeconds(Math.Max(0, DrainSeconds));
}
