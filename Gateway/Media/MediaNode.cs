using System.Globalization;
using StackExchange.Redis;
using Fields = AudioStream.ServiceDefaults.Messaging.MediaRegistryKeys.NodeFields;

namespace AudioStream.Gateway.Media;

/// <summary>A media node as its registry entry describes it (MediaService's MediaNodeRegistry writes it).</summary>
public sealed record MediaNode(string Id, string Http, bool Gpu, int Streams, int Capacity, bool Serving)
{
    public int FreeCapacity => Math.Max(0, Capacity - Streams);

    /// <summary>The node in a registry hash; null when a field it cannot do without is missing or malformed.</summary>
    public static MediaNode? From(HashEntry[] entry)
    {
        var fields = entry.ToDictionary(e => (string)e.Name!, e => (string?)e.Value);
        return fields.GetValueOrDefault(Fields.Id) is { Length: > 0 } id
            && fields.GetValueOrDefault(Fields.Http) is { Length: > 0 } http
            && Uri.TryCreate(http, UriKind.Absolute, out _)
            ? new MediaNode(
                id,
                http,
                fields.GetValueOrDefault(Fields.Kind) == Fields.KindGpu,
                Number(fields.GetValueOrDefault(Fields.Streams)),
                Number(fields.GetValueOrDefault(Fields.Capacity)),
                fields.GetValueOrDefault(Fields.State) == Fields.StateServing)
            : null;
    }

    private static int Number(string? value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : 0;
}
