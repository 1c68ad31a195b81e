using AudioStream.ServiceDefaults.Security;
using AudioStream.SocialService.Grpc;

namespace AudioStream.RecordingService.Infrastructure;

/// <summary>Who may see whose recordings: the owner and the owner's friends (SocialService decides friendship).</summary>
public sealed class RecordingAccess(SocialGraph.SocialGraphClient social)
{
    public async Task<bool> MayViewAsync(CurrentUser me, Guid ownerId, CancellationToken cancellationToken) =>
        me.Id == ownerId
        || (await social.AreFriendsAsync(new AreFriendsRequest { UserId = me.Id.ToString(), OtherUserId = ownerId.ToString() },
            cancellationToken: cancellationToken)).AreFriends;

    /// <summary>The id of <paramref name="ownerName"/> when that is you or a friend of yours; null otherwise (unknown users included).</summary>
    public async Task<Guid?> ResolveViewableOwnerAsync(CurrentUser me, string ownerName, CancellationToken cancellationToken)
    {
        if (string.Equals(ownerName, me.UserName, StringComparison.OrdinalIgnoreCase))
        {
            return me.Id;
        }
        var friends = await social.FriendsOfAsync(new FriendsOfRequest { UserId = me.Id.ToString() }, cancellationToken: cancellationToken);
        var friend = friends.Friends.FirstOrDefault(f => string.Equals(f.UserName, ownerName, StringComparison.OrdinalIgnoreCase));
        return friend is not null && Guid.TryParse(friend.UserId, out var id) ? id : null;
    }
}
