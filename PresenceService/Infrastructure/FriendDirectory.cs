using System.Collections.Concurrent;
using AudioStream.SocialService.Grpc;

namespace AudioStream.PresenceService.Infrastructure;

public sealed record FriendEntry(Guid Id, string UserName);

/// <summary>
/// Friends of the users connected to this instance, from SocialService (never its database). Cached while they are
/// connected; a friendship event forgets the entry so the next look-up asks again. A look-up that was already on its
/// way when the friendship changed may answer from before the change, but its answer is never kept.
/// </summary>
public sealed class FriendDirectory(SocialGraph.SocialGraphClient socialGraph)
{
    private readonly ConcurrentDictionary<Guid, CachedFriends> _cache = new();
    private readonly ConcurrentDictionary<Guid, long> _generations = new();
    private long _lastGeneration;

    public Task<IReadOnlyDictionary<Guid, FriendEntry>> GetFriendsAsync(Guid userId)
    {
        var generation = _generations.GetValueOrDefault(userId);
        var cached = _cache.GetOrAdd(userId, (id, g) => new CachedFriends(g, LoadAsync(id)), generation);
        if (cached.Generation == generation)
        {
            return cached.Friends;
        }

        // Loaded before the last Forget (and stored after it): stale.
        var fresh = new CachedFriends(generation, LoadAsync(userId));
        return _cache.TryUpdate(userId, fresh, cached) ? fresh.Friends : GetFriendsAsync(userId);
    }

    public void Forget(Guid userId)
    {
        _generations[userId] = Interlocked.Increment(ref _lastGeneration);
        _cache.TryRemove(userId, out _);
    }

    public async Task<bool> AreFriendsAsync(Guid userId, Guid otherId) =>
        (await GetFriendsAsync(userId)).ContainsKey(otherId);

    private async Task<IReadOnlyDictionary<Guid, FriendEntry>> LoadAsync(Guid userId)
    {
        try
        {
            var reply = await socialGraph.FriendsOfAsync(new FriendsOfRequest { UserId = userId.ToString() });
            return reply.Friends.ToDictionary(f => Guid.Parse(f.UserId), f => new FriendEntry(Guid.Parse(f.UserId), f.UserName));
        }
        catch
        {
            // Do not cache a failure: the next look-up tries SocialService again.
            Forget(userId);
            throw;
        }
    }

    private sealed record CachedFriends(long Generation, Task<IReadOnlyDictionary<Guid, FriendEntry>> Friends);
}
