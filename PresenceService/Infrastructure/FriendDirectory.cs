using System.Collections.Concurrent;
using AudioStream.SocialService.Grpc;

namespace AudioStream.PresenceService.Infrastructure;

public sealed record FriendEntry(Guid Id, string UserName);

/// <summary>
/// Friends of the users connected to this instance, from SocialService (never its database). Cached while they are
/// connected; a friends_changed event drops the entry so the next look-up asks again.
/// </summary>
public sealed class FriendDirectory(SocialGraph.SocialGraphClient socialGraph)
{
    private readonly ConcurrentDictionary<Guid, Task<IReadOnlyDictionary<Guid, FriendEntry>>> cache = new();

    public Task<IReadOnlyDictionary<Guid, FriendEntry>> GetFriendsAsync(Guid userId) =>
        cache.GetOrAdd(userId, LoadAsync);

    public void Forget(Guid userId) => cache.TryRemove(userId, out _);

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
}
