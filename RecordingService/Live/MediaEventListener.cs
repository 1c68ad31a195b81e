using AudioStream.ServiceDefaults.Messaging;
using StackExchange.Redis;

namespace AudioStream.RecordingService.Live;

/// <summary>Claims the recording of every stream_started event on <see cref="EventChannels.Media"/> (the instance that wins its lease records it).</summary>
public sealed class MediaEventListener(IConnectionMultiplexer redis, LiveRecorder recorder, ILogger<MediaEventListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queue = await redis.GetSubscriber().SubscribeAsync(EventChannels.Media);
        queue.OnMessage(async message =>
        {
            if (EventChannels.Read<MediaEvent>(message.Message) is not StreamStarted started
                || started.UserId == Guid.Empty || started.SessionId == Guid.Empty || string.IsNullOrEmpty(started.UserName))
            {
                return;
            }
            try
            {
                await recorder.ClaimAsync(started.SessionId, new StreamStart(started.UserId, started.UserName, started.SessionId, started.Title, started.Denoise));
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Could not start recording the stream of {Owner}", started.UserName);
            }
        });
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }
        await queue.UnsubscribeAsync();
    }
}
