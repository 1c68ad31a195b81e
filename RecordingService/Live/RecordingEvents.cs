using AudioStream.RecordingService.Model;
using AudioStream.ServiceDefaults.Messaging;
using StackExchange.Redis;

namespace AudioStream.RecordingService.Live;

/// <summary>
/// Announces changes to recordings on <see cref="EventChannels.Recordings"/>; PresenceService passes them to the
/// owner's and friends' pages, and MediaService shows a live stream's recording stopping in the stream's stats.
/// A notice that cannot be sent costs only a live update, never the change itself.
/// </summary>
public sealed class RecordingEvents(IConnectionMultiplexer redis, ILogger<RecordingEvents> logger)
{
    public async Task PublishAsync(string type, Recording recording)
    {
        try
        {
            var stopped = RecordingStopReasons.Of(recording);
            await redis.PublishAsync(EventChannels.Recordings, new RecordingEvent(
                type, recording.Id, recording.OwnerId, recording.OwnerName, recording.StreamId, stopped, RecordingStopReasons.Describe(stopped)));
        }
        catch (RedisException ex)
        {
            logger.LogWarning(ex, "Could not announce that recording {RecordingId} was {Change}", recording.Id, type);
        }
    }
}
