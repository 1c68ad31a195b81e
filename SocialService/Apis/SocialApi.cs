using System.Linq.Expressions;
using System.Security.Claims;
using AudioStream.ServiceDefaults.Messaging;
using AudioStream.ServiceDefaults.Rules;
using AudioStream.ServiceDefaults.Security;
using AudioStream.SocialService.Infrastructure;
using AudioStream.SocialService.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;
using static AudioStream.ServiceDefaults.ProblemResults;

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
        if (!UserNameRule.IsValidPrefix(query))
        {
            return Invalid("query", $"Give 1 to {UserNameRule.MaxLength} {UserNameRule.AllowedCharacters}.", "The search is not valid.");
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
        string username, ClaimsPrincipal principal, FriendGraph graph, IConnectionMultiplexer redis, CancellationToken cancellationToken)
    {
        var me = principal.GetCurrentUser();
        if (await graph.UnfriendAsync(me.Id, UserNameRule.Normalize(username), cancellationToken) is not { } friendId)
        {
            return Problem(StatusCodes.Status404NotFound, "You are not friends with that user.");
        }
        await redis.PublishAsync(EventChannels.Social, new SocialEvent(SocialEventTypes.FriendshipEnded, [me.Id, friendId]));
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

    /// <summary>
    /// Asks someone to be friends. If they have already asked you, or ask at the same moment (crossing requests),
    /// asking back accepts their request: 200 with <c>friends: true</c> instead of 201 and a second pending request.
    /// </summary>
    public static async Task<Results<Created<FriendRequestResponse>, Ok<FriendsResponse>, ValidationProblem, ProblemHttpResult>> SendRequestAsync(
        SendFriendRequest request, ClaimsPrincipal principal, FriendGraph graph, MemberDirectory members,
        IConnectionMultiplexer redis, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Username) || request.Username.Length > UserNameRule.MaxLength)
        {
            return Invalid("username", "Name the user to befriend.", "The request is not valid.");
        }
        var me = principal.GetCurrentUser();
        var sender = await members.EnsureAsync(me);
        if (UserNameRule.Normalize(request.Username) == sender.NormalizedUserName)
        {
            return Invalid("username", "You cannot befriend yourself.", "You cannot befriend yourself.");
        }
        var recipient = await members.FindByNameAsync(request.Username, cancellationToken);
        if (recipient is null)
        {
            return Problem(StatusCodes.Status404NotFound, "There is no user with that name.");
        }

        var result = await graph.RequestAsync(me.Id, recipient.Id, cancellationToken);
        switch (result.Outcome)
        {
            case SendOutcome.Requested:
                var sent = result.Request!;
                await redis.PublishAsync(EventChannels.Social, new SocialEvent(SocialEventTypes.RequestsChanged, [me.Id, recipient.Id]));
                return TypedResults.Created($"/api/social/requests/{sent.Id}", new FriendRequestResponse(sent.Id, recipient.UserName, sent.CreatedAt));
            case SendOutcome.BecameFriends:
                await redis.PublishAsync(EventChannels.Social, new SocialEvent(SocialEventTypes.FriendsChanged, [me.Id, recipient.Id]));
                return TypedResults.Ok(new FriendsResponse(true));
            case SendOutcome.AlreadyFriends:
                return Problem(StatusCodes.Status409Conflict, "You are already friends.");
            case SendOutcome.AlreadyAsked:
                return Problem(StatusCodes.Status409Conflict, "You already asked this user.");
            default:
                return Problem(StatusCodes.Status409Conflict, "Their request changed while yours was sent. Try again.");
        }
    }

    /// <summary>Accepts a request sent to you; 404 when it is no longer there (accepted already, withdrawn or rejected).</summary>
    public static async Task<Results<Ok<FriendsResponse>, ProblemHttpResult>> AcceptRequestAsync(
        Guid id, ClaimsPrincipal principal, FriendGraph graph, IConnectionMultiplexer redis, CancellationToken cancellationToken)
    {
        var me = principal.GetCurrentUser();
        var request = await graph.AcceptAsync(id, me.Id, cancellationToken);
        if (request is null)
        {
            return Problem(StatusCodes.Status404NotFound, "No such request was sent to you.");
        }
        await redis.PublishAsync(EventChannels.Social, new SocialEvent(SocialEventTypes.FriendsChanged, [request.SenderId, me.Id]));
        return TypedResults.Ok(new FriendsResponse(true));
    }

    public static Task<Results<NoContent, ProblemHttpResult>> RejectRequestAsync(
        Guid id, ClaimsPrincipal principal, FriendGraph graph, IConnectionMultiplexer redis, CancellationToken cancellationToken)
    {
        var me = principal.GetCurrentUser().Id;
        return DeleteRequestAsync(graph, redis, r => r.Id == id && r.RecipientId == me, "No such request was sent to you.", cancellationToken);
    }

    public static Task<Results<NoContent, ProblemHttpResult>> CancelRequestAsync(
        Guid id, ClaimsPrincipal principal, FriendGraph graph, IConnectionMultiplexer redis, CancellationToken cancellationToken)
    {
        var me = principal.GetCurrentUser().Id;
        return DeleteRequestAsync(graph, redis, r => r.Id == id && r.SenderId == me, "You sent no such request.", cancellationToken);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteRequestAsync(
        FriendGraph graph, IConnectionMultiplexer redis, Expression<Func<FriendRequest, bool>> mine, string notFound,
        CancellationToken cancellationToken)
    {
        var request = await graph.DeleteAsync(mine, cancellationToken);
        if (request is null)
        {
            return Problem(StatusCodes.Status404NotFound, notFound);
        }
        await redis.PublishAsync(EventChannels.Social, new SocialEvent(SocialEventTypes.RequestsChanged, [request.SenderId, request.RecipientId]));
        return TypedResults.NoContent();
    }
}
