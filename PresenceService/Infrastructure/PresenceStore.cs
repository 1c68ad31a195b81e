using StackExchange.Redis;

namespace AudioStream.PresenceService.Infrastructure;

public sealed record FriendStatus(string Username, bool Online, bool IsStreaming, int Listeners);

/// <summary>
/// Presence state in Redis, shared by every PresenceService instance. A user is online while at least one of
/// their sockets (on any instance) has an unexpired lease; instances renew their sockets' leases, so the sockets
/// of an instance that died expire on their own and are swept.
/// </summary>
public sealed class PresenceStore(IConnectionMultiplexer redis, TimeProvider time)
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private static readonly RedisKey OnlineUsersKey = "audiostream:presence:online-users";
    private static readonly RedisKey LiveKey = "audiostream:presence:live";
    private static readonly RedisKey NamesKey = "audiostream:presence:names";

    // KEYS[1] = the user's connection set; ARGV = now, lease expiry, connection id. Returns live connections after the change.
    private const string AddScript = """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
        redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
        redis.call('PEXPIREAT', KEYS[1], ARGV[2])
        return redis.call('ZCARD', KEYS[1])
        """;

    private const string RemoveScript = """
        redis.call('ZREM', KEYS[1], ARGV[2])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
        return redis.call('ZCARD', KEYS[1])
        """;

    private static RedisKey ConnectionsKey(Guid userId) => $"audiostream:presence:connections:{userId}";

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <returns><c>true</c> when this is the user's first live connection (they just came online).</returns>
    public async Task<bool> AddConnectionAsync(Guid userId, string userName, string connectionId)
    {
        var database = redis.GetDatabase();
        await database.HashSetAsync(NamesKey, userId.ToString(), userName);
        var count = (long)await database.ScriptEvaluateAsync(AddScript, [ConnectionsKey(userId)],
            [Now, Now + (long)Lease.TotalMilliseconds, connectionId]);
        await database.SetAddAsync(OnlineUsersKey, userId.ToString());
        return count == 1;
    }

    /// <returns><c>true</c> when that was the user's last live connection (they just went offline).</returns>
    public async Task<bool> RemoveConnectionAsync(Guid userId, string connectionId)
    {
        var database = redis.GetDatabase();
        var count = (long)await database.ScriptEvaluateAsync(RemoveScript, [ConnectionsKey(userId)], [Now, connectionId]);
        if (count == 0)
        {
            await database.SetRemoveAsync(OnlineUsersKey, userId.ToString());
            return true;
        }
        return false;
    }

    public Task RenewAsync(IEnumerable<(Guid UserId, string ConnectionId)> connections)
    {
        var batch = redis.GetDatabase().CreateBatch();
        var expiry = Now + (long)Lease.TotalMilliseconds;
        var pending = connections
            .SelectMany(c => new Task[]
            {
                batch.SortedSetAddAsync(ConnectionsKey(c.UserId), c.ConnectionId, expiry),
                batch.KeyExpireAsync(ConnectionsKey(c.UserId), Lease * 2),
            })
            .ToList();
        batch.Execute();
        return Task.WhenAll(pending);
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
            await database.SortedSetRemoveRangeByScoreAsync(ConnectionsKey(userId), double.NegativeInfinity, Now);
            if (await database.SortedSetLengthAsync(ConnectionsKey(userId)) == 0
                && await database.SetRemoveAsync(OnlineUsersKey, member))
            {
                gone.Add((userId, (string?)await database.HashGetAsync(NamesKey, member) ?? userId.ToString()));
            }
        }
        return gone;
    }

    public async Task<bool> IsOnlineAsync(Guid userId) =>
        await redis.GetDatabase().SortedSetLengthAsync(ConnectionsKey(userId), Now, double.PositiveInfinity) > 0;

    public Task SetStreamingAsync(Guid userId, int listeners) =>
        redis.GetDatabase().HashSetAsync(LiveKey, userId.ToString(), listeners);

    public Task ClearStreamingAsync(Guid userId) => redis.GetDatabase().HashDeleteAsync(LiveKey, userId.ToString());

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
