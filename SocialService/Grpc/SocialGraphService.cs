using AudioStream.SocialService.Infrastructure;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;

namespace AudioStream.SocialService.Grpc;

public sealed class SocialGraphService(SocialDbContext db) : SocialGraph.SocialGraphBase
{
    public override async Task<AreFriendsReply> AreFriends(AreFriendsRequest request, ServerCallContext context)
    {
        var userId = ParseId(request.UserId);
        var otherId = ParseId(request.OtherUserId);
        var areFriends = await db.Friendships.AnyAsync(f => f.UserId == userId && f.FriendId == otherId, context.CancellationToken);
        return new AreFriendsReply { AreFriends = areFriends };
    }

    public override async Task<FriendsOfReply> FriendsOf(FriendsOfRequest request, ServerCallContext context)
    {
        var userId = ParseId(request.UserId);
        var friends = await db.Friendships.AsNoTracking()
            .Where(f => f.UserId == userId)
            .Select(f => new Friend { UserId = f.FriendId.ToString(), UserName = f.Friend.UserName })
            .ToListAsync(context.CancellationToken);
        return new FriendsOfReply { Friends = { friends } };
    }

    private static Guid ParseId(string value) => Guid.TryParse(value, out var id)
        ? id
        : throw new RpcException(new Status(StatusCode.InvalidArgument, "User ids are GUIDs."));
}
