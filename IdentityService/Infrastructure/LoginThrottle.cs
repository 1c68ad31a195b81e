using StackExchange.Redis;

namespace AudioStream.IdentityService.Infrastructure;

/// <summary>
/// Sign-in attempts, counted in Redis (every IdentityService instance agrees) before the password is checked, in one
/// script so that parallel guesses each count. Two counters per attempt:
/// <list type="bullet">
/// <item>per name and client address: after <see cref="MaxFailures"/> attempts that address is locked out of that
/// name for the rest of <see cref="Window"/>. A stranger guessing locks only their own address, never the owner's.</item>
/// <item>per name across addresses: past <see cref="NameCeiling"/> attempts in a window (guesses spread over many
/// addresses), addresses the name has not signed in from are paced to one attempt per <see cref="Pace"/> between
/// them. Addresses the owner signed in from before keep their own counter only, so the owner is never locked out.</item>
/// </list>
/// A successful sign-in clears its address's counter and remembers the address for <see cref="KnownAddressLifetime"/>.
/// </summary>
public sealed class LoginThrottle(IConnectionMultiplexer redis)
{
    public const int MaxFailures = 5;
    public const int NameCeiling = 20;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan Pace = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan KnownAddressLifetime = TimeSpan.FromDays(30);

    /// <summary>
    /// KEYS: per name+address counter, per name counter, the name's known addresses, the name's pace marker.
    /// ARGV: window ms, max failures, name ceiling, pace ms, address.
    /// Answers {0, 0, known} to go on and verify (known: 1 when the name signed in from this address before),
    /// {1, ms} locked for this address, {2, ms} paced.
    /// </summary>
    private const string CountAttemptScript = """
        local pair = redis.call('INCR', KEYS[1])
        if pair == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        if pair > tonumber(ARGV[2]) then return {1, redis.call('PTTL', KEYS[1])} end
        local name = redis.call('INCR', KEYS[2])
        if name == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[1]) end
        local known = redis.call('SISMEMBER', KEYS[3], ARGV[5])
        if name > tonumber(ARGV[3]) and known == 0 then
          if not redis.call('SET', KEYS[4], '1', 'NX', 'PX', ARGV[4]) then
            redis.call('DECR', KEYS[1])
            return {2, redis.call('PTTL', KEYS[4])}
          end
        end
        return {0, 0, known}
        """;

    private const string SucceededScript = """
        redis.call('DEL', KEYS[1])
        if redis.call('DECR', KEYS[2]) < 0 then redis.call('DEL', KEYS[2]) end
        redis.call('SADD', KEYS[3], ARGV[1])
        redis.call('PEXPIRE', KEYS[3], ARGV[2])
        return 0
        """;

    private static RedisKey PairKey(string name, string address) => $"audiostream:login-attempts:{name}|{address}";
    private static RedisKey NameKey(string name) => $"audiostream:login-attempts:{name}";
    private static RedisKey KnownAddressesKey(string name) => $"audiostream:login-addresses:{name}";
    private static RedisKey PaceKey(string name) => $"audiostream:login-pace:{name}";

    /// <summary>Counts this attempt; says whether its password may be checked.</summary>
    public async Task<LoginAttempt> CountAttemptAsync(string normalizedUserName, string address)
    {
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(CountAttemptScript,
            [PairKey(normalizedUserName, address), NameKey(normalizedUserName), KnownAddressesKey(normalizedUserName), PaceKey(normalizedUserName)],
            [(long)Window.TotalMilliseconds, MaxFailures, NameCeiling, (long)Pace.TotalMilliseconds, address]))!;
        var wait = TimeSpan.FromMilliseconds(Math.Max(0, (long)result[1]));
        return (long)result[0] switch
        {
            0 => new LoginAttempt(null, TimeSpan.Zero, KnownAddress: (long)result[2] == 1),
            1 => new LoginAttempt(LoginRefusal.LockedForThisAddress, wait),
            _ => new LoginAttempt(LoginRefusal.Paced, wait),
        };
    }

    /// <summary>The attempt was counted but its password never checked (no hashing slot): it does not count.</summary>
    public async Task UncountAsync(string normalizedUserName, string address)
    {
        var database = redis.GetDatabase();
        await database.StringDecrementAsync(PairKey(normalizedUserName, address));
        await database.StringDecrementAsync(NameKey(normalizedUserName));
    }

    /// <summary>The password was right: this address starts afresh and is known to the name from now on.</summary>
    public Task SucceededAsync(string normalizedUserName, string address) =>
        redis.GetDatabase().ScriptEvaluateAsync(SucceededScript,
            [PairKey(normalizedUserName, address), NameKey(normalizedUserName), KnownAddressesKey(normalizedUserName)],
            [address, (long)KnownAddressLifetime.TotalMilliseconds]);
}
