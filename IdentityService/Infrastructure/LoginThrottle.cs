using StackExchange.Redis;

namespace AudioStream.IdentityService.Infrastructure;

/// <summary>
/// Failed logins per username, counted in Redis so every IdentityService instance agrees. After
/// <see cref="MaxFailures"/> failures the name is locked for the rest of <see cref="Window"/>, right password or not.
/// </summary>
public sealed class LoginThrottle(IConnectionMultiplexer redis)
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private static RedisKey Key(string normalizedUserName) => $"audiostream:login-failures:{normalizedUserName}";

    /// <returns>How long the name stays locked, or <c>null</c> when it may try.</returns>
    public async Task<TimeSpan?> GetLockoutAsync(string normalizedUserName)
    {
        var database = redis.GetDatabase();
        var failures = await database.StringGetAsync(Key(normalizedUserName));
        if (!failures.HasValue || (long)failures < MaxFailures)
        {
            return null;
        }
        return await database.KeyTimeToLiveAsync(Key(normalizedUserName)) ?? Window;
    }

    public async Task RecordFailureAsync(string normalizedUserName)
    {
        var database = redis.GetDatabase();
        var count = await database.StringIncrementAsync(Key(normalizedUserName));
        if (count == 1)
        {
            await database.KeyExpireAsync(Key(normalizedUserName), Window);
        }
    }

    public Task ResetAsync(string normalizedUserName) => redis.GetDatabase().KeyDeleteAsync(Key(normalizedUserName));
}
