using AudioStream.ServiceDefaults.Messaging;
using StackExchange.Redis;

namespace AudioStream.RecordingService.Live;

/// <summary>Starts a recording for every stream_started event on <see cref="EventChannels.Media"/>.</summary>
public sealed class MediaEventListener(IConnectionMultiplexer redis, LiveRecorder recorder, ILogger<MediaEventListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queue = await redis.GetSubscriber().SubscribeAsync(EventChannels.Media);
        queue.OnMessage(async message =>
        {
            if (EventChannels.Read<MediaEvent>(message.Message) is not StreamStarted started
                || started.UserId == Guid.Empty || string.IsNullOrEmpty(started.UserName))
            {
                return;
            }
            try
            {
                await recorder.StartAsync(new StreamStart(started.UserId, started.UserName, started.SessionId, started.Title, started.Denoise));
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
