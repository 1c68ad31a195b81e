using System.Security.Cryptography;
using AudioStream.ServiceDefaults.Messaging;
using StackExchange.Redis;

namespace AudioStream.ServiceDefaults.Security;

/// <summary>
/// Server-side record of live sessions, in Redis so every service sees a logout at once: the cookie alone is
/// never enough, its session id must still be here. A revocation is also announced (<see cref="SessionRevoked"/>), so that
/// what was opened with the session and outlives a request (listener connections, presence sockets) closes too.
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

    public async Task RevokeAsync(Guid userId, string sessionId)
    {
        await redis.GetDatabase().KeyDeleteAsync(Key(sessionId));
        await redis.PublishAsync(new SessionRevoked(userId, sessionId));
    }
}
