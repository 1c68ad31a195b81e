using AudioStream.RecordingService.Model;
using AudioStream.ServiceDefaults.Messaging;
using StackExchange.Redis;

namespace AudioStream.RecordingService.Live;

/// <summary>
/// Announces changes to recordings on <see cref="EventChannels.Recordings"/>; PresenceService passes them to the
/// owner's and friends' pages. A notice that cannot be sent costs only a live update, never the change itself.
/// </summary>
public sealed class RecordingEvents(IConnectionMultiplexer redis, ILogger<RecordingEvents> logger)
{
    public async Task PublishAsync(string type, Recording recording)
    {
        try
        {
            await redis.PublishAsync(EventChannels.Recordings, new RecordingEvent(type, recording.Id, recording.OwnerId, recording.OwnerName));
        }
        catch (RedisException ex)
        {
            logger.LogWarning(ex, "Could not announce that recording {RecordingId} was {Change}", recording.Id, type);
        }
    }
}
