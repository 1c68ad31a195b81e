using AudioStream.SocialService.Grpc;

namespace AudioStream.MediaService.Live;

/// <summary>
/// Who may hear (and see the stats of) a user's stream: that user and their friends. Decided by name through
/// SocialService's <c>FriendsOf</c>, so the answer for a non-friend (403) is the same whether or not the user is
/// live: liveness is only ever told to friends.
/// </summary>
public sealed class ListenerAccess(SocialGraph.SocialGraphClient socialGraph)
{
    public async Task<bool> MayListenAsync(Guid userId, string userName, string broadcasterName, CancellationToken cancellationToken)
    {
        if (string.Equals(userName, broadcasterName, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var reply = await socialGraph.FriendsOfAsync(new FriendsOfRequest { UserId = userId.ToString() }, cancellationToken: cancellationToken);
        return reply.Friends.Any(friend => string.Equals(friend.UserName, broadcasterName, StringComparison.OrdinalIgnoreCase));
    }
}
