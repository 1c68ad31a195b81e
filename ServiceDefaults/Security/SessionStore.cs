using System.Security.Cryptography;
using StackExchange.Redis;

namespace AudioStream.ServiceDefaults.Security;

/// <summary>
/// Server-side record of live sessions, in Redis so every service sees a logout at once: the cookie alone is
/// never enough, its session id must still be here.
/// </summary>
public sealed class SessionStore(IConnectionMultiplexer redis)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(14);

    private static RedisKey Key(string sessionId) => $"audiostream:session:{sessionId}";

    public async Task<string> CreateAsync(Guid userId)
    {
        var sessionId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        await redis.GetDatabase().StringSetAsync(Key(sessionId), userId.ToString(), Lifetime);
        return sessionId;
    }

    public async Task<bool> IsActiveAsync(string sessionId, Guid userId)
    {
        var stored = await redis.GetDatabase().StringGetAsync(Key(sessionId));
        return stored.HasValue && stored == userId.ToString();
    }

    public Task RevokeAsync(string sessionId) => redis.GetDatabase().KeyDeleteAsync(Key(sessionId));
}
