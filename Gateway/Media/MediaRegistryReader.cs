using AudioStream.ServiceDefaults.Messaging;
using StackExchange.Redis;
using Keys = AudioStream.ServiceDefaults.Messaging.MediaRegistryKeys;

namespace AudioStream.Gateway.Media;

/// <summary>Where a stream is: the node id the registry ties it to, and whether that node's lease still holds.</summary>
public readonly record struct StreamLocation(string NodeId, bool NodeAlive);

/// <summary>The gateway's reads of the media registry (<see cref="MediaRegistryKeys"/>), each one round trip to Redis.</summary>
public sealed class MediaRegistryReader(IConnectionMultiplexer redis)
{
    // KEYS: the owner key (owner lookups) or the session key. ARGV: session id ('' for owner lookups), session key
    // prefix, node key prefix. Returns {node id, 1 if the node's entry exists else 0}, or nil when no node holds it.
    private const string LocateScript = """
        local sessionId = ARGV[1]
        if sessionId == '' then
          sessionId = redis.call('GET', KEYS[1])
          if not sessionId then return nil end
        end
        local nodeId = redis.call('GET', ARGV[2] .. sessionId)
        if not nodeId then return nil end
        return { nodeId, redis.call('EXISTS', ARGV[3] .. nodeId) }
        """;

    // KEYS: node set. ARGV: node key prefix. Every live node's entry, flattened field/value lists.
    private const string NodesScript = """
        local nodes = {}
        for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
          local entry = redis.call('HGETALL', ARGV[1] .. id)
          if #entry > 0 then nodes[#nodes + 1] = entry end
        end
        return nodes
        """;

    private IDatabase Db => redis.GetDatabase();

    /// <summary>The node holding <paramref name="ownerUserName"/>'s live stream; null when none does.</summary>
    public Task<StreamLocation?> LocateOwnerAsync(string ownerUserName) =>
        LocateAsync(Keys.StreamOwner(ownerUserName), "");

    /// <summary>The node holding the stream with this session id; null when none does.</summary>
    public Task<StreamLocation?> LocateSessionAsync(Guid sessionId) =>
        LocateAsync(Keys.StreamSession(sessionId), sessionId.ToString("D"));

    /// <summary>Every registered node whose lease holds.</summary>
    public async Task<IReadOnlyList<MediaNode>> ReadNodesAsync()
    {
        var entries = (RedisResult[])(await Db.ScriptEvaluateAsync(NodesScript, [Keys.Nodes], [Keys.NodePrefix]))!;
        var nodes = new List<MediaNode>(entries.Length);
        foreach (var entry in entries)
        {
            var flat = (RedisValue[])entry!;
            var fields = new HashEntry[flat.Length / 2];
            for (var i = 0; i < fields.Length; i++)
            {
                fields[i] = new HashEntry(flat[i * 2], flat[i * 2 + 1]);
            }
            if (MediaNode.From(fields) is { } node)
            {
                nodes.Add(node);
            }
        }
        return nodes;
    }

    private async Task<StreamLocation?> LocateAsync(RedisKey key, string sessionId)
    {
        var result = await Db.ScriptEvaluateAsync(LocateScript, [key], [sessionId, Keys.StreamSessionPrefix, Keys.NodePrefix]);
        return result.IsNull ? null : (RedisResult[])result! is [var node, var alive] ? new StreamLocation((string)node!, (long)alive == 1) : null;
    }
}
