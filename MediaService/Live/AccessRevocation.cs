using AudioStream.ServiceDefaults.Messaging;
using AudioStream.ServiceDefaults.Security;
using AudioStream.SocialService.Grpc;
using Grpc.Core;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AudioStream.MediaService.Live;

/// <summary>
/// Listening and broadcasting last only as long as they are allowed. A listener is hung up as soon as the friendship
/// with the broadcaster ends (friendship_ended) or the session it listens with is revoked (logout), both heard on
/// Redis; a stream the page started ends when the sign-in session it was started with is revoked (a stream key's
/// stream, or one started from another sign-in, goes on). An event can be missed (Redis unreachable for a moment, a
/// listener added while the event went by), so every <see cref="LiveOptions.AccessCheckSeconds"/> each listener's
/// friendship and session, and each broadcaster's session, are checked again as well.
/// </summary>
public sealed class AccessRevocation(
    IConnectionMultiplexer redis,
    LiveStreamManager streams,
    SessionStore sessions,
    SocialGraph.SocialGraphClient socialGraph,
    IOptions<LiveOptions> options,
    MediaMetrics metrics,
    TimeProvider time,
    ILogger<AccessRevocation> logger) : BackgroundService
{
    public const string ReasonUnfriended = "unfriended";
    public const string ReasonSignedOut = "signed-out";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var social = await redis.SubscribeAsync<SocialEvent>(EventChannels.Social, changed =>
        {
            if (changed is { Type: SocialEventTypes.FriendshipEnded, UserIds: [var one, var other] })
            {
                Unfriended(one, other);
                Unfriended(other, one);
            }
        }, logger);
        var revocations = await redis.SubscribeAsync<SessionRevoked>(EventChannels.Sessions, revoked => SignedOut(revoked.UserId, revoked.SessionId), logger);

        try
        {
            using var timer = new PeriodicTimer(options.Value.AccessCheckInterval, time);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await RecheckAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await social.UnsubscribeAsync();
            await revocations.UnsubscribeAsync();
        }
    }

    /// <summary>The former friend stops hearing <paramref name="ownerId"/>'s stream on this instance.</summary>
    private void Unfriended(Guid ownerId, Guid formerFriendId)
    {
        if (streams.FindByOwner(ownerId) is { } stream)
        {
            Revoke(stream, listener => listener.UserId == formerFriendId, ReasonUnfriended);
        }
    }

    private void SignedOut(Guid userId, string sessionId)
    {
        foreach (var stream in streams.Streams)
        {
            if (stream.OwnerId == userId && stream.SignInSessionId == sessionId)
            {
                // Announced like any end; its listeners hang up with it.
                _ = streams.EndAsync(stream, ReasonSignedOut);
                continue;
            }
            Revoke(stream, listener => listener.UserId == userId && listener.SessionId == sessionId, ReasonSignedOut);
        }
    }

    /// <summary>Asks again, for every stream here, whether its broadcaster and each of its listeners may still be on it.</summary>
    private async Task RecheckAsync(CancellationToken cancellationToken)
    {
        var friendships = new Dictionary<(Guid Listener, Guid Owner), bool>();
        var activeSessions = new Dictionary<string, bool>();
        foreach (var stream in streams.Streams)
        {
            if (stream.SignInSessionId is { } broadcasterSession
                && await IsActiveAsync(activeSessions, broadcasterSession, stream.OwnerId, stream.OwnerName) == false)
            {
                await streams.EndAsync(stream, ReasonSignedOut);
                continue;
            }

            var signedOut = new HashSet<Guid>();
            var unfriended = new HashSet<Guid>();
            foreach (var listener in stream.Listeners.Snapshot())
            {
                var active = await IsActiveAsync(activeSessions, listener.SessionId, listener.UserId, stream.OwnerName);
                if (active == false)
                {
                    signedOut.Add(listener.ResourceId);
                }
                if (active != true || listener.UserId == stream.OwnerId)
                {
                    continue;
                }
                try
                {
                    var pair = (listener.UserId, stream.OwnerId);
                    if (!friendships.TryGetValue(pair, out var friends))
                    {
                        friends = friendships[pair] = (await socialGraph.AreFriendsAsync(
                            new AreFriendsRequest { UserId = listener.UserId.ToString(), OtherUserId = stream.OwnerId.ToString() },
                            cancellationToken: cancellationToken)).AreFriends;
                    }
                    if (!friends)
                    {
                        unfriended.Add(listener.ResourceId);
                    }
                }
                catch (RpcException ex)
                {
                    // Unknown is not "no": a listener keeps listening through a hiccup and is checked again next round.
                    logger.LogWarning(ex, "Could not re-check listener {ResourceId} of {Owner}", listener.ResourceId, stream.OwnerName);
                }
            }

            Revoke(stream, listener => signedOut.Contains(listener.ResourceId), ReasonSignedOut);
            Revoke(stream, listener => unfriended.Contains(listener.ResourceId), ReasonUnfriended);
        }
    }

    /// <summary>Whether a sign-in session is still active (asked once a round); null when that cannot be told now.</summary>
    private async Task<bool?> IsActiveAsync(Dictionary<string, bool> known, string sessionId, Guid userId, string streamOwner)
    {
        if (known.TryGetValue(sessionId, out var active))
        {
            return active;
        }
        try
        {
            return known[sessionId] = await sessions.IsActiveAsync(sessionId, userId);
        }
        catch (RedisException ex)
        {
            // Unknown is not "no": access goes on through a hiccup and is checked again next round.
            logger.LogWarning(ex, "Could not re-check a sign-in session on {Owner}'s stream", streamOwner);
            return null;
        }
    }

    private void Revoke(LiveBroadcast stream, Func<Listener, bool> revoked, string reason)
    {
        int closed = stream.Listeners.CloseWhere(revoked);
        if (closed > 0)
        {
            metrics.ListenersRevoked(closed, reason);
            logger.LogInformation("Hung up on {Count} listener(s) of {Owner}'s stream: {Reason}", closed, stream.OwnerName, reason);
        }
    }
}
