using System.Security.Claims;
using AudioStream.ServiceDefaults.Messaging;
using AudioStream.ServiceDefaults.Security;
using AudioStream.SocialService.Infrastructure;
using AudioStream.SocialService.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace AudioStream.SocialService.Apis;

public static class SocialApi
{
    public const int MaxSearchResults = 20;

    public static RouteGroupBuilder MapSocialApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/social").WithTags("Social").RequireAuthorization();
        api.MapGet("/users", SearchUsersAsync).WithName("SearchUsers").WithSummary("Users whose name starts with the query");
        api.MapGet("/friends", ListFriendsAsync).WithName("ListFriends").WithSummary("Your friends");
        api.MapDelete("/friends/{username}", RemoveFriendAsync).WithName("RemoveFriend").WithSummary("End a friendship");
        api.MapGet("/requests", ListRequestsAsync).WithName("ListFriendRequests").WithSummary("Requests to and from you");
        api.MapPost("/requests", SendRequestAsync).WithName("SendFriendRequest").WithSummary("Ask someone to be friends");
        api.MapPost("/requests/{id:guid}/accept", AcceptRequestAsync).WithName("AcceptFriendRequest").WithSummary("Accept a request sent to you");
        api.MapPost("/requests/{id:guid}/reject", RejectRequestAsync).WithName("RejectFriendRequest").WithSummary("Reject a request sent to you");
        api.MapDelete("/requests/{id:guid}", CancelRequestAsync).WithName("CancelFriendRequest").WithSummary("Withdraw a request you sent");
        return api;
    }

    public static async Task<Results<Ok<List<UserSearchResult>>, ValidationProblem>> SearchUsersAsync(
        string? query, ClaimsPrincipal principal, SocialDbContext db, MemberDirectory members, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(query) || query.Length > 32 || !query.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["query"] = ["Give 1 to 32 letters, digits, '_', '.' or '-'."] },
                title: "The search is not valid.");
        }
        var me = principal.GetCurrentUser();
        // One extra so that leaving yourself out still fills the page.
        var found = (await members.SearchAsync(query, MaxSearchResults + 1, cancellationToken))
            .Where(user => user.Id != me.Id.ToString())
            .Take(MaxSearchResults)
            .ToList();
        var ids = found.Select(user => Guid.Parse(user.Id)).ToList();
        var friendIds = await db.Friendships.Where(f => f.UserId == me.Id && ids.Contains(f.FriendId))
            .Select(f => f.FriendId).ToListAsync(cancellationToken);
        var pendingIds = await db.FriendRequests
            .Where(r => (r.SenderId == me.Id && ids.Contains(r.RecipientId)) || (r.RecipientId == me.Id && ids.Contains(r.SenderId)))
            .Select(r => r.SenderId == me.Id ? r.RecipientId : r.SenderId)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(found
            .Select(user => new UserSearchResult(user.UserName, friendIds.Contains(Guid.Parse(user.Id)), pendingIds.Contains(Guid.Parse(user.Id))))
            .ToList());
    }

    public static async Task<Ok<List<FriendResponse>>> ListFriendsAsync(ClaimsPrincipal principal, SocialDbContext db)
    {
        var me = principal.GetCurrentUser();
        var friends = await db.Friendships.AsNoTracking()
            .Where(f => f.UserId == me.Id)
            .OrderBy(f => f.Friend.NormalizedUserName)
            .Select(f => new FriendResponse(f.Friend.UserName, f.Since))
            .ToListAsync();
        return TypedResults.Ok(friends);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RemoveFriendAsync(
        string username, ClaimsPrincipal principal, SocialDbContext db, IConnectionMultiplexer redis)
    {
        var me = principal.GetCurrentUser();
        var normalized = MemberDirectory.Normalize(username);
        var both = await db.Friendships
            .Where(f => (f.UserId == me.Id && f.Friend.NormalizedUserName == normalized)
                || (f.FriendId == me.Id && db.Members.Any(m => m.Id == f.UserId && m.NormalizedUserName == normalized)))
            .ToListAsync();
        if (both.Count == 0)
        {
            return NotFound("You are not friends with that user.");
        }
        db.Friendships.RemoveRange(both);
        await db.SaveChangesAsync();
        await redis.PublishAsync(EventChannels.Social, new SocialEvent(SocialEventTypes.FriendshipEnded, [me.Id, both[0].UserId == me.Id ? both[0].FriendId : both[0].UserId]));
        return TypedResults.NoContent();
    }

    public static async Task<Ok<FriendRequestsResponse>> ListRequestsAsync(ClaimsPrincipal principal, SocialDbContext db)
    {
        var me = principal.GetCurrentUser();
        var incoming = await db.FriendRequests.AsNoTracking()
            .Where(r => r.RecipientId == me.Id)
            .OrderByDescending(r => r.CreatedAt)
            .Select(r => new FriendRequestResponse(r.Id, r.Sender.UserName, r.CreatedAt))
            .ToListAsync();
        var outgoing = await db.FriendRequests.AsNoTracking()
            .Where(r => r.SenderId == me.Id)
            .OrderByDescending(r => r.CreatedAt)
            .Select(r => new FriendRequestResponse(r.Id, r.Recipient.UserName, r.CreatedAt))
            .ToListAsync();
        return TypedResults.Ok(new FriendRequestsResponse(incoming, outgoing));
    }

    public static async Task<Results<Created<FriendRequestResponse>, Ok<FriendsResponse>, ValidationProblem, ProblemHttpResult>> SendRequestAsync(
        SendFriendRequest request, ClaimsPrincipal principal, SocialDbContext db, MemberDirectory members,
        IConnectionMultiplexer redis, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Username) || request.Username.Length > 32)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["username"] = ["Name the user to befriend."] }, title: "The request is not valid.");
        }
        var me = principal.GetCurrentUser();
        var sender = await members.EnsureAsync(me);
        if (MemberDirectory.Normalize(request.Username) == sender.NormalizedUserName)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["username"] = ["You cannot befriend yourself."] }, title: "You cannot befriend yourself.");
        }
        var recipient = await members.FindByNameAsync(request.Username, cancellationToken);
        if (recipient is null)
        {
            return NotFound("There is no user with that name.");
        }
        if (await db.Friendships.AnyAsync(f => f.UserId == me.Id && f.FriendId == recipient.Id, cancellationToken))
        {
            return Conflict("You are already friends.");
        }
        if (await db.FriendRequests.AnyAsync(r => r.SenderId == me.Id && r.RecipientId == recipient.Id, cancellationToken))
        {
            return Conflict("You already asked this user.");
        }

        // They already asked you: asking back means yes.
        var theirs = await db.FriendRequests.SingleOrDefaultAsync(r => r.SenderId == recipient.Id && r.RecipientId == me.Id, cancellationToken);
        if (theirs is not null)
        {
            await BefriendAsync(db, theirs);
            await redis.PublishAsync(EventChannels.Social, new SocialEvent(SocialEventTypes.FriendsChanged, [me.Id, recipient.Id]));
            return TypedResults.Ok(new FriendsResponse(true));
        }

        var friendRequest = new FriendRequest { SenderId = me.Id, RecipientId = recipient.Id };
        db.FriendRequests.Add(friendRequest);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (exception.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            return Conflict("You already asked this user.");
        }
        await redis.PublishAsync(EventChannels.Social, new SocialEvent(SocialEventTypes.RequestsChanged, [me.Id, recipient.Id]));
        return TypedResults.Created($"/api/social/requests/{friendRequest.Id}",
            new FriendRequestResponse(friendRequest.Id, recipient.UserName, friendRequest.CreatedAt));
    }

    public static async Task<Results<Ok<FriendsResponse>, ProblemHttpResult>> AcceptRequestAsync(
        Guid id, ClaimsPrincipal principal, SocialDbContext db, IConnectionMultiplexer redis)
    {
        var me = principal.GetCurrentUser();
        var request = await db.FriendRequests.SingleOrDefaultAsync(r => r.Id == id && r.RecipientId == me.Id);
        if (request is null)
        {
            return NotFound("No such request was sent to you.");
        }
        await BefriendAsync(db, request);
        await redis.PublishAsync(EventChannels.Social, new SocialEvent(SocialEventTypes.FriendsChanged, [request.SenderId, me.Id]));
        return TypedResults.Ok(new FriendsResponse(true));
    }

    public static Task<Results<NoContent, ProblemHttpResult>> RejectRequestAsync(
        Guid id, ClaimsPrincipal principal, SocialDbContext db, IConnectionMultiplexer redis) =>
        DeleteRequestAsync(db, redis, r => r.Id == id && r.RecipientId == principal.GetCurrentUser().Id, "No such request was sent to you.");

    public static Task<Results<NoContent, ProblemHttpResult>> CancelRequestAsync(
        Guid id, ClaimsPrincipal principal, SocialDbContext db, IConnectionMultiplexer redis) =>
        DeleteRequestAsync(db, redis, r => r.Id == id && r.SenderId == principal.GetCurrentUser().Id, "You sent no such request.");

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteRequestAsync(
        SocialDbContext db, IConnectionMultiplexer redis, System.Linq.Expressions.Expression<Func<FriendRequest, bool>> mine, string notFound)
    {
        var request = await db.FriendRequests.SingleOrDefaultAsync(mine);
        if (request is null)
        {
            return NotFound(notFound);
        }
        db.FriendRequests.Remove(request);
        await db.SaveChangesAsync();
        await redis.PublishAsync(EventChannels.Social, new SocialEvent(SocialEventTypes.RequestsChanged, [request.SenderId, request.RecipientId]));
        return TypedResults.NoContent();
    }

    /// <summary>Turns a request into a friendship (both directions) in one transaction.</summary>
    private static async Task BefriendAsync(SocialDbContext db, FriendRequest request)
    {
        var since = DateTimeOffset.UtcNow;
        db.FriendRequests.Remove(request);
        db.Friendships.Add(new Friendship { UserId = request.SenderId, FriendId = request.RecipientId, Since = since });
        db.Friendships.Add(new Friendship { UserId = request.RecipientId, FriendId = request.SenderId, Since = since });
        await db.SaveChangesAsync();
    }

    private static ProblemHttpResult NotFound(string title) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: title);

    private static ProblemHttpResult Conflict(string title) => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: title);
}
