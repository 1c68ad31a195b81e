using System.Collections.Concurrent;
using AudioStream.MediaService.Grpc;
using AudioStream.RecordingService.Live;
using AudioStream.ServiceDefaults;
using AudioStream.ServiceDefaults.Messaging;
using AudioStream.ServiceDefaults.Security;
using Grpc.Net.Client;
using StackExchange.Redis;

namespace AudioStream.RecordingService.Grpc;

/// <summary>
/// MediaStream clients for the media nodes in the registry (issue #13; <see cref="MediaRegistryKeys"/>): a stream is
/// subscribed at the node that holds it, and the live list is asked of every node. A stream or node the registry does
/// not name (not yet registered, or a lone node outside the AppHost) goes through service discovery as before.
/// </summary>
public sealed class MediaNodeClients(
    IConnectionMultiplexer redis, ServiceTokenIssuer issuer, MediaStream.MediaStreamClient discovered) : IDisposable
{
    /// <summary>The audience every media node's tokens carry (all nodes are the service "media").</summary>
    private const string MediaServiceName = "media";

    private readonly ConcurrentDictionary<Uri, GrpcChannel> _channels = new();

    /// <summary>The client for the node that holds <paramref name="stream"/>.</summary>
    public async Task<MediaStream.MediaStreamClient> ForStreamAsync(LiveStreamRef stream)
    {
        var database = redis.GetDatabase();
        var sessionId = stream.StreamId;
        if (sessionId is null && Guid.TryParse((string?)await database.StringGetAsync(MediaRegistryKeys.StreamOwner(stream.OwnerName)), out var found))
        {
            sessionId = found;
        }

        var nodeId = sessionId is { } id ? (string?)await database.StringGetAsync(MediaRegistryKeys.StreamSession(id)) : null;
        return nodeId is not null && await ForNodeAsync(database, nodeId) is { } client ? client : discovered;
    }

    /// <summary>A client for each registered node (or the discovered one when none is registered).</summary>
    public async Task<IReadOnlyList<MediaStream.MediaStreamClient>> AllAsync()
    {
        var database = redis.GetDatabase();
        var clients = new List<MediaStream.MediaStreamClient>();
        foreach (var nodeId in await database.SetMembersAsync(MediaRegistryKeys.Nodes))
        {
            if (await ForNodeAsync(database, nodeId!) is { } client)
            {
                clients.Add(client);
            }
        }

        return clients.Count > 0 ? clients : [discovered];
    }

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
    }

    private async Task<MediaStream.MediaStreamClient?> ForNodeAsync(IDatabase database, string nodeId)
    {
        var address = (string?)await database.HashGetAsync(MediaRegistryKeys.Node(nodeId), MediaRegistryKeys.NodeFields.Grpc);
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri))
        {
            return null; // lost (hash gone) or registered without a gRPC address
        }

        return new MediaStream.MediaStreamClient(_channels.GetOrAdd(uri, at => GrpcClients.ChannelFor(at, issuer, MediaServiceName)));
    }
}
