using StackExchange.Redis;

namespace AudioStream.ServiceDefaults.Messaging;

/// <summary>
/// A lease in Redis: a key whose value names its holder and which lapses unless the holder extends it. Each step is
/// one Lua script, so checking the holder and changing the key happen atomically (no other client between them).
/// </summary>
public static class RedisLease
{
    /// <summary>Takes the key if nobody holds it (or extends it if <c>ARGV[1]</c> already does); 1 when held now.</summary>
    private const string TakeScript = """
        local holder = redis.call('GET', KEYS[1])
        if not holder then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
          return 1
        end
        if holder == ARGV[1] then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          return 1
        end
        return 0
        """;

    /// <summary>Extends the key only for its holder; 0 when someone else holds it or it lapsed.</summary>
    private const string ExtendScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('PEXPIRE', KEYS[1], ARGV[2])
        end
        return 0
        """;

    /// <summary>Deletes the key only for its holder: a late release never ends a successor's lease.</summary>
    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """;

    /// <returns>True when <paramref name="holder"/> holds the lease now (taken, or already its own and extended).</returns>
    public static async Task<bool> TryTakeAsync(this IDatabaseAsync database, RedisKey key, string holder, TimeSpan ttl) =>
        (long)await database.ScriptEvaluateAsync(TakeScript, [key], [holder, (long)ttl.TotalMilliseconds]) == 1;

    /// <returns>False when the lease is no longer <paramref name="holder"/>'s (it lapsed, or another holder took it).</returns>
    public static async Task<bool> TryExtendAsync(this IDatabaseAsync database, RedisKey key, string holder, TimeSpan ttl) =>
        (long)await database.ScriptEvaluateAsync(ExtendScript, [key], [holder, (long)ttl.TotalMilliseconds]) == 1;

    /// <returns>False when the lease was not <paramref name="holder"/>'s to release.</returns>
    public static async Task<bool> ReleaseAsync(this IDatabaseAsync database, RedisKey key, string holder) =>
        (long)await database.ScriptEvaluateAsync(ReleaseScript, [key], [holder]) == 1;
}
