using AudioStream.ServiceDefaults.Messaging;
using StackExchange.Redis;
using Keys = AudioStream.ServiceDefaults.Messaging.MediaRegistryKeys;

namespace AudioStream.MediaService.Nodes;

/// <summary>
/// One node's leases in the media registry (<see cref="MediaRegistryKeys"/>): its own entry, and the keys that tie its
/// streams to it by session and by owner. Each change is one Lua script, so a lease is extended only while this node
/// still holds it (compare-and-extend) and released only by its holder (compare-and-delete): a node that was declared
/// lost cannot take back what a sweep ended.
/// </summary>
public sealed class MediaNodeLeases(IConnectionMultiplexer redis, string nodeId)
{
    // KEYS: node hash, node set. ARGV: lease ms, node id, then the hash's field/value pairs.
    // Returns 1 when the entry was still there (this node held its lease), 0 when it was created afresh.
    private const string HeartbeatScript = """
        local held = redis.call('EXISTS', KEYS[1])
        redis.call('HSET', KEYS[1], unpack(ARGV, 3))
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        redis.call('SADD', KEYS[2], ARGV[2])
        return held
        """;

    // KEYS: session key, owner key, node hash. ARGV: lease ms, node id, session id, streams field, streams now.
    private const string ClaimScript = """
        redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1])
        redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[1])
        if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('HSET', KEYS[3], ARGV[4], ARGV[5]) end
        return 1
        """;

    // KEYS: (session key, owner key) per stream. ARGV: lease ms, node id, reclaim absent (1/0), then each session id.
    // Returns per stream 1 while this node holds it, 0 when it does not (absent and not reclaimed, or another's).
    private const string ExtendScript = """
        local held = {}
        for i = 1, #KEYS, 2 do
          local sessionId = ARGV[3 + (i + 1) / 2]
          local holder = redis.call('GET', KEYS[i])
          local mine = holder == ARGV[2]
          if mine then
            redis.call('PEXPIRE', KEYS[i], ARGV[1])
          elseif not holder and ARGV[3] == '1' then
            redis.call('SET', KEYS[i], ARGV[2], 'PX', ARGV[1])
            mine = true
          end
          if mine then
            local owner = redis.call('GET', KEYS[i + 1])
            if owner == sessionId then
              redis.call('PEXPIRE', KEYS[i + 1], ARGV[1])
            elseif not owner then
              redis.call('SET', KEYS[i + 1], sessionId, 'PX', ARGV[1])
            end
            held[#held + 1] = 1
          else
            held[#held + 1] = 0
          end
        end
        return held
        """;

    // KEYS: session key, owner key, node hash. ARGV: node id, session id, streams field, streams now.
    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
        if redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[2]) end
        if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('HSET', KEYS[3], ARGV[3], ARGV[4]) end
        return 1
        """;

    // KEYS: node set. ARGV: node key prefix. Members whose entry lapsed.
    private const string LostNodesScript = """
        local lost = {}
        for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
          if redis.call('EXISTS', ARGV[1] .. id) == 0 then lost[#lost + 1] = id end
        end
        return lost
        """;

    // KEYS: node set, node hash. ARGV: node id. Forgets a lost node unless it came back meanwhile.
    private const string ForgetScript = """
        if redis.call('EXISTS', KEYS[2]) == 0 then return redis.call('SREM', KEYS[1], ARGV[1]) end
        return 0
        """;

    // KEYS: sweep lock. ARGV: node id. Releases the lock only if this node holds it.
    private const string ReleaseSweepScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    private static readonly RedisValue LeaseMilliseconds = (long)Keys.Lease.TotalMilliseconds;

    public string NodeId { get; } = nodeId;

    private IDatabase Db => redis.GetDatabase();

    /// <summary>Writes this node's entry and renews its lease; false when the entry had lapsed (or never existed).</summary>
    public async Task<bool> HeartbeatAsync(MediaNodeRecord record)
    {
        var entries = record.ToHashEntries();
        var values = new RedisValue[2 + entries.Length * 2];
        values[0] = LeaseMilliseconds;
        values[1] = NodeId;
        for (var i = 0; i < entries.Length; i++)
        {
            values[2 + i * 2] = entries[i].Name;
            values[3 + i * 2] = entries[i].Value;
        }
        var held = await Db.ScriptEvaluateAsync(HeartbeatScript, [Keys.Node(NodeId), Keys.Nodes], values);
        return (long)held == 1;
    }

    /// <summary>Ties a new stream to this node, by session and by owner.</summary>
    public Task ClaimStreamAsync(Guid sessionId, string ownerName, int streamsNow) =>
        Db.ScriptEvaluateAsync(ClaimScript,
            [Keys.StreamSession(sessionId), Keys.StreamOwner(ownerName), Keys.Node(NodeId)],
            [LeaseMilliseconds, NodeId, sessionId.ToString("D"), Keys.NodeFields.Streams, streamsNow]);

    /// <summary>
    /// Extends the leases of this node's streams. <paramref name="reclaimAbsent"/>: take back a lapsed key (this node's
    /// own lease held throughout, so nobody swept it); otherwise a lapsed key means the stream is no longer this node's.
    /// </summary>
    /// <returns>Per stream, whether this node still holds it.</returns>
    public async Task<bool[]> ExtendStreamsAsync(IReadOnlyList<(Guid SessionId, string OwnerName)> streams, bool reclaimAbsent)
    {
        if (streams.Count == 0)
        {
            return [];
        }
        var keys = new RedisKey[streams.Count * 2];
        var values = new RedisValue[3 + streams.Count];
        values[0] = LeaseMilliseconds;
        values[1] = NodeId;
        values[2] = reclaimAbsent ? 1 : 0;
        for (var i = 0; i < streams.Count; i++)
        {
            keys[i * 2] = Keys.StreamSession(streams[i].SessionId);
            keys[i * 2 + 1] = Keys.StreamOwner(streams[i].OwnerName);
            values[3 + i] = streams[i].SessionId.ToString("D");
        }
        var held = (RedisResult[])(await Db.ScriptEvaluateAsync(ExtendScript, keys, values))!;
        return [.. held.Select(h => (long)h == 1)];
    }

    /// <summary>Unties an ended stream from this node (only keys that still name it).</summary>
    public Task ReleaseStreamAsync(Guid sessionId, string ownerName, int streamsNow) =>
        Db.ScriptEvaluateAsync(ReleaseScript,
            [Keys.StreamSession(sessionId), Keys.StreamOwner(ownerName), Keys.Node(NodeId)],
            [NodeId, sessionId.ToString("D"), Keys.NodeFields.Streams, streamsNow]);

    /// <summary>Registered nodes whose lease lapsed.</summary>
    public async Task<string[]> FindLostNodesAsync()
    {
        var lost = (RedisResult[])(await Db.ScriptEvaluateAsync(LostNodesScript, [Keys.Nodes], [Keys.NodePrefix]))!;
        return [.. lost.Select(id => (string)id!)];
    }

    /// <summary>Takes the sweep lock for <paramref name="hold"/>; false when another node sweeps.</summary>
    public Task<bool> TryTakeSweepAsync(TimeSpan hold) => Db.StringSetAsync(Keys.Sweep, NodeId, hold, When.NotExists);

    public Task ReleaseSweepAsync() => Db.ScriptEvaluateAsync(ReleaseSweepScript, [Keys.Sweep], [NodeId]);

    /// <summary>Removes a swept node from the set, unless it registered again meanwhile.</summary>
    public Task ForgetLostNodeAsync(string lostNodeId) =>
        Db.ScriptEvaluateAsync(ForgetScript, [Keys.Nodes, Keys.Node(lostNodeId)], [lostNodeId]);

    /// <summary>Leaves the registry after a clean stop: not lost, just gone.</summary>
    public async Task DeregisterAsync()
    {
        var batch = Db.CreateTransaction();
        _ = batch.KeyDeleteAsync(Keys.Node(NodeId));
        _ = batch.SetRemoveAsync(Keys.Nodes, NodeId);
        await batch.ExecuteAsync();
    }
}
