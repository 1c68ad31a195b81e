using AudioStream.PresenceService.Infrastructure;
using AudioStream.ServiceDefaults.Messaging;
using AudioStream.ServiceDefaults.Security;
using StackExchange.Redis;

namespace AudioStream.PresenceService.Realtime;

/// <summary>
/// Turns the events of every instance and service (Redis pub/sub) into messages on this instance's sockets, and
/// keeps this instance's socket leases alive. Each channel is read in order and each user's events are handled in
/// order (<see cref="PerUserSequencer"/>), so that, say, a listener count can never land after the stream's end.
/// </summary>
public sealed class PresenceRelay(
    IConnectionMultiplexer redis, PresenceHub hub, PresenceStore store, SessionStore sessions, ILogger<PresenceRelay> logger) : BackgroundService
{
    private static readonly TimeSpan RenewEvery = PresenceStore.Lease / 3;

    private readonly PerUserSequencer _sequencer = new(logger);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ChannelMessageQueue[] subscriptions =
        [
            await redis.SubscribeAsync<PresenceEvent>(PresenceHub.PresenceChannel, e => _sequencer.Enqueue(e.UserId, () => OnPresenceAsync(e)), logger),
            await redis.SubscribeAsync<SocialEvent>(EventChannels.Social, e =>
            {
                foreach (var userId in e.UserIds.Distinct())
                {
                    _sequencer.Enqueue(userId, () => OnSocialAsync(e.Type, userId));
                }
            }, logger),
            await redis.SubscribeAsync<MediaEvent>(EventChannels.Media, e => _sequencer.Enqueue(e.UserId, () => OnMediaAsync(e)), logger),
            await redis.SubscribeAsync<RecordingEvent>(EventChannels.Recordings, e => _sequencer.Enqueue(e.OwnerId, () => OnRecordingAsync(e)), logger),
            await redis.SubscribeAsync<SessionRevoked>(EventChannels.Sessions, e => _sequencer.Enqueue(e.UserId, () =>
            {
                hub.CloseSession(e.UserId, e.SessionId);
                return Task.CompletedTask;
            }), logger),
        ];

        try
        {
            using var timer = new PeriodicTimer(RenewEvery);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await KeepLeasesAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var subscription in subscriptions)
            {
                await subscription.UnsubscribeAsync();
            }
        }
    }

    /// <summary>Renews this instance's leases, sweeps dead instances' sockets and closes sockets whose session ended.</summary>
    private async Task KeepLeasesAsync()
    {
        try
        {
            var connections = hub.Connections.ToList();
            foreach (var userId in await store.RenewAsync(connections.Select(c => (c.UserId, c.Id)).ToList()))
            {
                // A sweep took them offline while this instance's renewal was late: they never left.
                var userName = connections.First(c => c.UserId == userId).UserName;
                await hub.PublishAsync(new PresenceEvent(userId, userName, Online: true));
            }
            foreach (var (userId, userName) in await store.SweepExpiredAsync())
            {
                // Their instance died without saying goodbye; friends learn it from whoever swept it.
                await hub.PublishAsync(new PresenceEvent(userId, userName, Online: false));
            }
            await hub.CloseRevokedSessionsAsync(sessions);
        }
        catch (RedisException exception)
        {
            logger.LogWarning(exception, "Could not renew presence leases");
        }
    }

    private Task OnPresenceAsync(PresenceEvent presenceEvent) =>
        hub.SendToFriendsOfAsync(presenceEvent.UserId, PresenceMessages.PresenceUpdate(presenceEvent.UserName, presenceEvent.Online));

    /// <summary>A friendship began or ended: the user's pages hear it and get the new picture (an ex-friend is no longer in it).</summary>
    private async Task OnSocialAsync(string type, Guid userId)
    {
        switch (type)
        {
            case SocialEventTypes.FriendsChanged or SocialEventTypes.FriendshipEnded:
                await hub.RefreshFriendsAsync(userId);
                break;
            case SocialEventTypes.RequestsChanged:
                hub.SendToUser(userId, PresenceMessages.RequestsChanged);
                break;
            default:
                logger.LogWarning("Ignored social event type {Type}", type);
                break;
        }
    }

    /// <summary>The owner's own pages and their friends' pages list the owner's recordings: both hear of a change.</summary>
    private Task OnRecordingAsync(RecordingEvent recordingEvent)
    {
        var message = PresenceMessages.RecordingsChanged(recordingEvent.OwnerName, recordingEvent.RecordingId, recordingEvent.Type);
        hub.SendToUser(recordingEvent.OwnerId, message);
        return hub.SendToFriendsOfAsync(recordingEvent.OwnerId, message);
    }

    /// <summary>Friends hear what the store accepted: a late start or count about an ended stream changes nothing and says nothing.</summary>
    private async Task OnMediaAsync(MediaEvent mediaEvent)
    {
        var message = mediaEvent switch
        {
            StreamStarted started => await store.StartStreamingAsync(started.UserId, started.SessionId)
                ? PresenceMessages.StreamingStatusUpdate(started.UserName, true) : null,
            StreamEnded ended => await store.EndStreamingAsync(ended.UserId, ended.SessionId)
                ? PresenceMessages.StreamingStatusUpdate(ended.UserName, false) : null,
            ListenerCountChanged changed => await store.SetListenersAsync(changed.UserId, changed.SessionId, changed.Listeners)
                ? PresenceMessages.ListenersUpdate(changed.UserName, changed.Listeners) : null,
            _ => null,
        };
        if (message is not null)
        {
            await hub.SendToFriendsOfAsync(mediaEvent.UserId, message);
        }
    }
}
