using StackExchange.Redis;

namespace AudioStream.PresenceService.Infrastructure;

public sealed record FriendStatus(string Username, bool Online, bool IsStreaming, int Listeners);

/// <summary>
/// Presence state in Redis, shared by every PresenceService instance. A user is online while at least one of
/// their sockets (on any instance) has an unexpired lease; instances renew their sockets' leases, so the sockets
/// of an instance that died expire on their own and are swept.
/// </summary>
/// <remarks>
/// Every instance hears every event and writes the same state, in its own time; each change is one Lua script, so a
/// sweep on one instance never interleaves with a renewal on another, and an instance that lags behind cannot undo
/// what a later event did: the live entry is keyed by the stream's session and an ended session is remembered.
/// </remarks>
public sealed class PresenceStore(IConnectionMultiplexer redis, TimeProvider time)
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    /// <summary>How long an ended stream session is remembered, so a lagging instance's late start is refused.</summary>
    private static readonly TimeSpan EndedMemory = TimeSpan.FromHours(1);

    private static readonly RedisKey OnlineUsersKey = "audiostream:presence:online-users";
    private static readonly RedisKey LiveKey = "audiostream:presence:live";
    private static readonly RedisKey LiveSessionsKey = "audiostream:presence:live-sessions";
    private static readonly RedisKey NamesKey = "audiostream:presence:names";

    // KEYS[1] = the user's connection set, KEYS[2] = online users; ARGV = now, lease expiry, connection id, user id.
    // Returns live connections after the change.
    private const string AddScript = """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
        redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
        redis.call('PEXPIREAT', KEYS[1], ARGV[2])
        redis.call('SADD', KEYS[2], ARGV[4])
        return redis.call('ZCARD', KEYS[1])
        """;

    // KEYS as for AddScript; ARGV = now, connection id, user id. Returns live connections after the change.
    private const string RemoveScript = """
        redis.call('ZREM', KEYS[1], ARGV[2])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
        local left = redis.call('ZCARD', KEYS[1])
        if left == 0 then redis.call('SREM', KEYS[2], ARGV[3]) end
        return left
        """;

    // KEYS as for AddScript; ARGV = lease expiry, connection id, user id. Returns 1 when the user had been swept
    // offline meanwhile (a renewal late by a whole lease): they are online again and friends must hear it.
    private const string RenewScript = """
        redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
        redis.call('PEXPIREAT', KEYS[1], ARGV[1])
        return redis.call('SADD', KEYS[2], ARGV[3])
        """;

    // KEYS as for AddScript; ARGV = now, user id. Returns 1 when every lease had expired and the user is now offline.
    private const string SweepScript = """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
        if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
        return redis.call('SREM', KEYS[2], ARGV[2])
        """;

    // KEYS[1] = listener counts, KEYS[2] = live sessions, KEYS[3] = this session's ended marker; ARGV = user id, session id.
    // Returns 1 when the session is live now, 0 when it has already ended (the start came late).
    private const string StartStreamScript = """
        if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
        if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then
          redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
          redis.call('HSET', KEYS[1], ARGV[1], 0)
        end
        return 1
        """;

    // KEYS as for StartStreamScript; ARGV = user id, session id, listeners. Updates only that session's live entry (1), never makes one (0).
    private const string ListenersScript = """
        if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
        return 1
        """;

    // KEYS as for StartStreamScript; ARGV = user id, session id, marker lifetime (ms).
    // Returns 1 when the user is no longer live, 0 when a later session of theirs is.
    private const string EndStreamScript = """
        redis.call('SET', KEYS[3], 1, 'PX', ARGV[3])
        local live = redis.call('HGET', KEYS[2], ARGV[1])
        if live and live ~= ARGV[2] then return 0 end
        redis.call('HDEL', KEYS[2], ARGV[1])
        redis.call('HDEL', KEYS[1], ARGV[1])
        return 1
        """;

    private static RedisKey ConnectionsKey(Guid userId) => $"audiostream:presence:connections:{userId}";

    private static RedisKey EndedKey(Guid sessionId) => $"audiostream:presence:ended:{sessionId}";

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <returns><c>true</c> when this is the user's first live connection (they just came online).</returns>
    public async Task<bool> AddConnectionAsync(Guid userId, string userName, string connectionId)
    {
        var database = redis.GetDatabase();
        await database.HashSetAsync(NamesKey, userId.ToString(), userName);
        var count = (long)await database.ScriptEvaluateAsync(AddScript, [ConnectionsKey(userId), OnlineUsersKey],
            [Now, Now + (long)Lease.TotalMilliseconds, connectionId, userId.ToString()]);
        return count == 1;
    }

    /// <returns><c>true</c> when that was the user's last live connection (they just went offline).</returns>
    public async Task<bool> RemoveConnectionAsync(Guid userId, string connectionId)
    {
        var count = (long)await redis.GetDatabase().ScriptEvaluateAsync(RemoveScript, [ConnectionsKey(userId), OnlineUsersKey],
            [Now, connectionId, userId.ToString()]);
        return count == 0;
    }

    /// <summary>Extends the leases of this instance's sockets.</summary>
    /// <returns>Users a sweep had taken offline meanwhile: online again.</returns>
    public async Task<IReadOnlyList<Guid>> RenewAsync(IEnumerable<(Guid UserId, string ConnectionId)> connections)
    {
        var database = redis.GetDatabase();
        var expiry = Now + (long)Lease.TotalMilliseconds;
        var renewals = connections
            .Select(c => (c.UserId, Back: database.ScriptEvaluateAsync(RenewScript, [ConnectionsKey(c.UserId), OnlineUsersKey],
                [expiry, c.ConnectionId, c.UserId.ToString()])))
            .ToList();
        await Task.WhenAll(renewals.Select(r => r.Back));
        return renewals.Where(r => (long)r.Back.Result == 1).Select(r => r.UserId).Distinct().ToList();
    }

    /// <summary>Users whose every lease expired (their instance died); each is returned once, by whichever instance swept it.</summary>
    public async Task<IReadOnlyList<(Guid UserId, string UserName)>> SweepExpiredAsync()
    {
        var database = redis.GetDatabase();
        var gone = new List<(Guid, string)>();
        foreach (var member in await database.SetMembersAsync(OnlineUsersKey))
        {
            if (!Guid.TryParse(member.ToString(), out var userId))
            {
                continue;
            }
            if ((long)await database.ScriptEvaluateAsync(SweepScript, [ConnectionsKey(userId), OnlineUsersKey], [Now, member]) == 1)
            {
                gone.Add((userId, (string?)await database.HashGetAsync(NamesKey, member) ?? userId.ToString()));
            }
        }
        return gone;
    }

    public async Task<bool> IsOnlineAsync(Guid userId) =>
        await redis.GetDatabase().SortedSetLengthAsync(ConnectionsKey(userId), Now, double.PositiveInfinity) > 0;

    /// <returns><c>false</c> when that stream has already ended (a late start): the user is not live.</returns>
    public Task<bool> StartStreamingAsync(Guid userId, Guid sessionId) =>
        RunLiveScriptAsync(StartStreamScript, userId, sessionId);

    /// <returns><c>false</c> when that stream is not the user's live one (ended, or never seen start): nothing changed.</returns>
    public Task<bool> SetListenersAsync(Guid userId, Guid sessionId, int listeners) =>
        RunLiveScriptAsync(ListenersScript, userId, sessionId, listeners);

    /// <returns><c>false</c> when a later stream of the user's is live (this end came late).</returns>
    public Task<bool> EndStreamingAsync(Guid userId, Guid sessionId) =>
        RunLiveScriptAsync(EndStreamScript, userId, sessionId, (long)EndedMemory.TotalMilliseconds);

    private async Task<bool> RunLiveScriptAsync(string script, Guid userId, Guid sessionId, RedisValue? extra = null)
    {
        RedisValue[] arguments = extra is { } value ? [userId.ToString(), sessionId.ToString(), value] : [userId.ToString(), sessionId.ToString()];
        return (long)await redis.GetDatabase().ScriptEvaluateAsync(script, [LiveKey, LiveSessionsKey, EndedKey(sessionId)], arguments) == 1;
    }

    public async Task<IReadOnlyList<FriendStatus>> GetStatusesAsync(IReadOnlyCollection<FriendEntry> friends)
    {
        if (friends.Count == 0)
        {
            return [];
        }
        var database = redis.GetDatabase();
        var now = Now;
        var online = friends.Select(f => database.SortedSetLengthAsync(ConnectionsKey(f.Id), now, double.PositiveInfinity)).ToList();
        var live = await database.HashGetAsync(LiveKey, friends.Select(f => (RedisValue)f.Id.ToString()).ToArray());
        var counts = await Task.WhenAll(online);
        return friends.Select((friend, i) => new FriendStatus(
                friend.UserName,
                counts[i] > 0,
                live[i].HasValue,
                live[i].HasValue ? (int)live[i] : 0))
            .ToList();
    }
}
