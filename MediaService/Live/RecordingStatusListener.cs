using AudioStream.ServiceDefaults.Messaging;
using StackExchange.Redis;

namespace AudioStream.MediaService.Live;

/// <summary>
/// Keeps each live stream's <see cref="LiveBroadcast.Recording"/> as RecordingService announces it on
/// <see cref="EventChannels.Recordings"/>: the recorder that decides a recording stops (a limit, a failure) is the one
/// source of what the stream's stats say about it.
/// </summary>
public sealed class RecordingStatusListener(
    IConnectionMultiplexer redis, LiveStreamManager streams, ILogger<RecordingStatusListener> logger) : IHostedService
{
    private ChannelMessageQueue? _subscription;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _subscription = await redis.SubscribeAsync<RecordingEvent>(EventChannels.Recordings, OnRecordingEvent, logger);
        }
        catch (RedisException ex)
        {
            // Streams work without it; only their stats cannot tell that recording stopped.
            logger.LogError(ex, "Could not subscribe to recording events");
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_subscription is not null)
        {
            await _subscription.UnsubscribeAsync();
        }
    }

    private void OnRecordingEvent(RecordingEvent recording)
    {
        if (recording.StreamId is not { } sessionId || streams.Find(sessionId) is not { } stream)
        {
            return;
        }
        if (recording.StoppedReason is { } reason)
        {
            stream.RecordingStopped(reason, recording.StoppedMessage);
            logger.LogInformation("Recording of stream {SessionId} of {Owner} stopped, the stream going on: {Reason}", sessionId, stream.OwnerName, reason);
        }
        else if (recording.Type == RecordingEventTypes.Started)
        {
            stream.RecordingStarted();
        }
    }
}
