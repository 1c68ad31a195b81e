using System.Linq.Expressions;
using AudioStream.ServiceDefaults;
using AudioStream.SocialService.Model;
using Microsoft.EntityFrameworkCore;

namespace AudioStream.SocialService.Infrastructure;

/// <summary>
/// Friend requests and friendships as the database keeps them, safe under concurrent use. At most one request exists
/// per pair of users whichever way round (a unique index on the unordered pair), so crossing requests meet at that
/// index; a request is taken (deleted) before anything is made of it, so of two accepts, or an accept and a
/// withdrawal, exactly one finds it and the other is told it is gone.
/// </summary>
public sealed class FriendGraph(SocialDbContext db)
{
    /// <summary>A crossing request can find the pair's row gone again (accepted or withdrawn meanwhile): look again.</summary>
    private const int MaxAttempts = 3;

    public Task<bool> AreFriendsAsync(Guid userId, Guid otherId, CancellationToken cancellationToken) =>
        db.Friendships.AnyAsync(f => f.UserId == userId && f.FriendId == otherId, cancellationToken);

    /// <summary>Asks <paramref name="recipientId"/> to be friends; if they have asked (even at this very moment), that is a yes.</summary>
    public async Task<SendResult> RequestAsync(Guid senderId, Guid recipientId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (await AreFriendsAsync(senderId, recipientId, cancellationToken))
            {
                return new SendResult(SendOutcome.AlreadyFriends);
            }
            var pending = await db.FriendRequests.AsNoTracking()
                .Where(r => (r.SenderId == senderId && r.RecipientId == recipientId) || (r.SenderId == recipientId && r.RecipientId == senderId))
                .SingleOrDefaultAsync(cancellationToken);
            if (pending?.SenderId == senderId)
            {
                return new SendResult(SendOutcome.AlreadyAsked);
            }
            if (pending is not null)
            {
                if (await AcceptAsync(pending.Id, senderId, cancellationToken) is not null)
                {
                    return new SendResult(SendOutcome.BecameFriends);
                }
                continue;
            }

            var request = new FriendRequest { SenderId = senderId, RecipientId = recipientId };
            db.FriendRequests.Add(request);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return new SendResult(SendOutcome.Requested, request);
            }
            catch (DbUpdateException exception) when (exception.IsUniqueViolation())
            {
                // A request between the two was made meanwhile (theirs, crossing ours, or ours from another tab).
                db.Entry(request).State = EntityState.Detached;
            }
        }
        return new SendResult(SendOutcome.Contended);
    }

    /// <summary>Turns the request into a friendship (both directions) in one transaction; <c>null</c> when it is no longer there.</summary>
    public Task<FriendRequest?> AcceptAsync(Guid requestId, Guid recipientId, CancellationToken cancellationToken) =>
        db.InTransactionAsync(async () =>
        {
            var request = await TakeAsync(r => r.Id == requestId && r.RecipientId == recipientId, cancellationToken);
            if (request is not null)
            {
                var since = DateTimeOffset.UtcNow;
                await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO friendships ("UserId", "FriendId", "Since")
                    VALUES ({request.SenderId}, {request.RecipientId}, {since}), ({request.RecipientId}, {request.SenderId}, {since})
                    ON CONFLICT DO NOTHING
                    """, cancellationToken);
            }
            return request;
        }, cancellationToken);

    /// <summary>Deletes a pending request (rejected or withdrawn); <c>null</c> when it is no longer there.</summary>
    public Task<FriendRequest?> DeleteAsync(Expression<Func<FriendRequest, bool>> which, CancellationToken cancellationToken)
        => TakeAsync(which, cancellationToken);

    /// <summary>Ends a friendship in both directions; the other user's id, or <c>null</c> when they were not friends.</summary>
    public async Task<Guid?> UnfriendAsync(Guid userId, string normalizedName, CancellationToken cancellationToken)
    {
        var otherId = await db.Members.Where(m => m.NormalizedUserName == normalizedName)
            .Select(m => (Guid?)m.Id).SingleOrDefaultAsync(cancellationToken);
        if (otherId is not { } other)
        {
            return null;
        }
        var removed = await db.Friendships
            .Where(f => (f.UserId == userId && f.FriendId == other) || (f.UserId == other && f.FriendId == userId))
            .ExecuteDeleteAsync(cancellationToken);
        return removed > 0 ? other : null;
    }

    /// <summary>
    /// Reads the request, then deletes it: of two transactions taking the same request, the second one's delete waits
    /// for the first to commit and then finds nothing, so only one of them gets it.
    /// </summary>
    private async Task<FriendRequest?> TakeAsync(Expression<Func<FriendRequest, bool>> which, CancellationToken cancellationToken)
    {
        var request = await db.FriendRequests.AsNoTracking().Where(which).SingleOrDefaultAsync(cancellationToken);
        if (request is null)
        {
            return null;
        }
        var deleted = await db.FriendRequests.Where(r => r.Id == request.Id).ExecuteDeleteAsync(cancellationToken);
        return deleted == 1 ? request : null;
    }
}
