using AudioStream.ServiceDefaults.Messaging;
using AudioStream.ServiceDefaults.Security;
using AudioStream.SocialService.Grpc;
using Grpc.Core;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AudioStream.MediaService.Live;

/// <summary>
/// Listening lasts only as long as it is allowed. A listener is hung up as soon as the friendship with the broadcaster
/// ends (friendship_ended) or the session it listens with is revoked (logout), both heard on Redis. An event can be
/// missed (Redis unreachable for a moment, a listener added while the event went by), so every
/// <see cref="LiveOptions.AccessCheckSeconds"/> each listener's friendship and session are checked again as well.
/// </summary>
public sealed class ListenerRevocation(
    IConnectionMultiplexer redis,
    LiveStreamManager streams,
    SessionStore sessions,
    SocialGraph.SocialGraphClient socialGraph,
    IOptions<LiveOptions> options,
    MediaMetrics metrics,
    TimeProvider time,
    ILogger<ListenerRevocation> logger) : BackgroundService
{
    public const string ReasonUnfriended = "unfriended";
    public const string ReasonSignedOut = "signed-out";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var subscriber = redis.GetSubscriber();
        var social = await subscriber.SubscribeAsync(EventChannels.Social);
        social.OnMessage(message =>
        {
            if (EventChannels.Read<SocialEvent>(message.Message) is { Type: SocialEventTypes.FriendshipEnded, UserIds: [var one, var other] })
            {
                Unfriended(one, other);
                Unfriended(other, one);
            }
        });
        var revocations = await subscriber.SubscribeAsync(EventChannels.Sessions);
        revocations.OnMessage(message =>
        {
            if (EventChannels.Read<SessionRevoked>(message.Message) is { } revoked)
            {
                SignedOut(revoked.UserId, revoked.SessionId);
            }
        });

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
            Revoke(stream, listener => listener.UserId == userId && listener.SessionId == sessionId, ReasonSignedOut);
        }
    }

    /// <summary>Asks again, for every listener of every stream here, whether it may still listen.</summary>
    private async Task RecheckAsync(CancellationToken cancellationToken)
    {
        var friendships = new Dictionary<(Guid Listener, Guid Owner), bool>();
        var activeSessions = new Dictionary<string, bool>();
        foreach (var stream in streams.Streams)
        {
            var signedOut = new HashSet<Guid>();
            var unfriended = new HashSet<Guid>();
            foreach (var listener in stream.Listeners.Snapshot())
            {
                try
                {
                    if (!activeSessions.TryGetValue(listener.SessionId, out var active))
                    {
                        active = activeSessions[listener.SessionId] = await sessions.IsActiveAsync(listener.SessionId, listener.UserId);
                    }
                    if (!active)
                    {
                        signedOut.Add(listener.ResourceId);
                        continue;
                    }
                    if (listener.UserId == stream.OwnerId)
                    {
                        continue;
                    }
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
                catch (Exception ex) when (ex is RpcException or RedisException)
                {
                    // Unknown is not "no": a listener keeps listening through a hiccup and is checked again next round.
                    logger.LogWarning(ex, "Could not re-check listener {ResourceId} of {Owner}", listener.ResourceId, stream.OwnerName);
                }
            }

            Revoke(stream, listener => signedOut.Contains(listener.ResourceId), ReasonSignedOut);
            Revoke(stream, listener => unfriended.Contains(listener.ResourceId), ReasonUnfriended);
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
