using AudioStream.ServiceDefaults.Messaging;
using StackExchange.Redis;
using Fields = AudioStream.ServiceDefaults.Messaging.MediaRegistryKeys.NodeFields;

namespace AudioStream.MediaService.Nodes;

/// <summary>What a node says about itself in <see cref="MediaRegistryKeys.Node"/>.</summary>
public sealed record MediaNodeRecord(string Id, string Http, string Grpc, string Udp, string Kind, int Streams, int Capacity, string State)
{
    public HashEntry[] ToHashEntries() =>
    [
        new(Fields.Id, Id),
        new(Fields.Http, Http),
        new(Fields.Grpc, Grpc),
        new(Fields.Udp, Udp),
        new(Fields.Kind, Kind),
        new(Fields.Streams, Streams),
        new(Fields.Capacity, Capacity),
        new(Fields.State, State),
    ];
}
