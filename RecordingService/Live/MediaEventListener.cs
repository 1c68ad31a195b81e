using AudioStream.ServiceDefaults.Messaging;
using StackExchange.Redis;

namespace AudioStream.RecordingService.Live;

/// <summary>
/// MediaService's stream events as RecordingService reads them. Beyond <see cref="MediaEvent"/>'s fields it takes
/// the stream's <c>sessionId</c>, <c>title</c> and <c>denoise</c> when the event carries them; without a session id
/// the recording follows the owner's current stream by name and gets an id of its own.
/// </summary>
public sealed record MediaStreamEvent(string Type, Guid UserId, string UserName, Guid? SessionId = null, string? Title = null, bool? Denoise = null);

/// <summary>Starts a recording for every stream_started event on <see cref="EventChannels.Media"/>.</summary>
public sealed class MediaEventListener(IConnectionMultiplexer redis, LiveRecorder recorder, ILogger<MediaEventListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queue = await redis.GetSubscriber().SubscribeAsync(EventChannels.Media);
        queue.OnMessage(async message =>
        {
            if (EventChannels.Read<MediaStreamEvent>(message.Message) is not { Type: MediaEventTypes.StreamStarted } started
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
