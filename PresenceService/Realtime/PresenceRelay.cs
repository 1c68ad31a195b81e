using AudioStream.PresenceService.Infrastructure;
using AudioStream.ServiceDefaults.Messaging;
using StackExchange.Redis;

namespace AudioStream.PresenceService.Realtime;

/// <summary>
/// Turns the events of every instance and service (Redis pub/sub) into messages on this instance's sockets, and
/// keeps this instance's socket leases alive.
/// </summary>
public sealed class PresenceRelay(
    IConnectionMultiplexer redis, PresenceHub hub, PresenceStore store, ILogger<PresenceRelay> logger) : BackgroundService
{
    private static readonly TimeSpan RenewEvery = PresenceStore.Lease / 3;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var subscriber = redis.GetSubscriber();
        await subscriber.SubscribeAsync(PresenceHub.PresenceChannel, (_, message) => Relay<PresenceEvent>(OnPresenceAsync, message));
        await subscriber.SubscribeAsync(EventChannels.Social, (_, message) => Relay<SocialEvent>(OnSocialAsync, message));
        await subscriber.SubscribeAsync(EventChannels.Media, (_, message) => Relay<MediaEvent>(OnMediaAsync, message));
        await subscriber.SubscribeAsync(EventChannels.Recordings, (_, message) => Relay<RecordingEvent>(OnRecordingAsync, message));

        using var timer = new PeriodicTimer(RenewEvery);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await store.RenewAsync(hub.Connections.Select(c => (c.UserId, c.Id)).ToList());
                foreach (var (userId, userName) in await store.SweepExpiredAsync())
                {
                    // Their instance died without saying goodbye; friends learn it from whoever swept it.
                    await hub.PublishAsync(new PresenceEvent(userId, userName, Online: false));
                }
            }
            catch (RedisException exception)
            {
                logger.LogWarning(exception, "Could not renew presence leases");
            }
        }
    }

    private void Relay<TEvent>(Func<TEvent, Task> handle, RedisValue message) where TEvent : class
    {
        if (EventChannels.Read<TEvent>(message) is not { } parsed)
        {
            logger.LogWarning("Ignored a malformed {Event}", typeof(TEvent).Name);
            return;
        }
        _ = Task.Run(async () =>
        {
            try
            {
                await handle(parsed);
            }
            catch (Exception exception)
            {
                logger.LogError(exception, "Could not relay {Event}", parsed);
            }
        });
    }

    private Task OnPresenceAsync(PresenceEvent presenceEvent) =>
        hub.SendToFriendsOfAsync(presenceEvent.UserId, PresenceMessages.PresenceUpdate(presenceEvent.UserName, presenceEvent.Online));

    private async Task OnSocialAsync(SocialEvent socialEvent)
    {
        foreach (var userId in socialEvent.UserIds.Distinct())
        {
            if (socialEvent.Type == SocialEventTypes.FriendsChanged)
            {
                await hub.RefreshFriendsAsync(userId);
            }
            else if (socialEvent.Type == SocialEventTypes.RequestsChanged)
            {
                hub.SendToUser(userId, PresenceMessages.RequestsChanged);
            }
        }
    }

    /// <summary>The owner's own pages and their friends' pages list the owner's recordings: both hear of a change.</summary>
    private Task OnRecordingAsync(RecordingEvent recordingEvent)
    {
        var message = PresenceMessages.RecordingsChanged(recordingEvent.OwnerName, recordingEvent.RecordingId, recordingEvent.Type);
        hub.SendToUser(recordingEvent.OwnerId, message);
        return hub.SendToFriendsOfAsync(recordingEvent.OwnerId, message);
    }

    private async Task OnMediaAsync(MediaEvent mediaEvent)
    {
        switch (mediaEvent.Type)
        {
            case MediaEventTypes.StreamStarted:
                await store.SetStreamingAsync(mediaEvent.UserId, 0);
                await hub.SendToFriendsOfAsync(mediaEvent.UserId, PresenceMessages.StreamingStatusUpdate(mediaEvent.UserName, true));
                break;
            case MediaEventTypes.StreamEnded:
                await store.ClearStreamingAsync(mediaEvent.UserId);
                await hub.SendToFriendsOfAsync(mediaEvent.UserId, PresenceMessages.StreamingStatusUpdate(mediaEvent.UserName, false));
                break;
            case MediaEventTypes.Listeners:
                await store.SetStreamingAsync(mediaEvent.UserId, mediaEvent.Listeners);
                await hub.SendToFriendsOfAsync(mediaEvent.UserId, PresenceMessages.ListenersUpdate(mediaEvent.UserName, mediaEvent.Listeners));
                break;
            default:
                logger.LogWarning("Ignored media event type {Type}", mediaEvent.Type);
                break;
        }
    }
}
