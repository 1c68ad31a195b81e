using System.Text.Json;
using StackExchange.Redis;

namespace AudioStream.ServiceDefaults.Messaging;

/// <summary>
/// Change notices between services, over Redis pub/sub. They say what changed, not the new state:
/// a receiver that misses one loses no data, only a live update.
/// </summary>
public static class EventChannels
{
    /// <summary><see cref="SocialEvent"/>s from SocialService.</summary>
    public static readonly RedisChannel Social = RedisChannel.Literal("audiostream:events:social");

    /// <summary><see cref="MediaEvent"/>s from MediaService.</summary>
    public static readonly RedisChannel Media = RedisChannel.Literal("audiostream:events:media");

    /// <summary><see cref="RecordingEvent"/>s from RecordingService.</summary>
    public static readonly RedisChannel Recordings = RedisChannel.Literal("audiostream:events:recordings");

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Task PublishAsync<TEvent>(this IConnectionMultiplexer redis, RedisChannel channel, TEvent message) =>
        redis.GetSubscriber().PublishAsync(channel, JsonSerializer.Serialize(message, Json));

    public static TEvent? Read<TEvent>(RedisValue message) where TEvent : class
    {
        try
        {
            return message.HasValue ? JsonSerializer.Deserialize<TEvent>((string)message!, Json) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

public static class SocialEventTypes
{
    /// <summary>A friendship began or ended.</summary>
    public const string FriendsChanged = "friends_changed";

    /// <summary>A friend request was sent, rejected or cancelled.</summary>
    public const string RequestsChanged = "requests_changed";
}

public sealed record SocialEvent(string Type, IReadOnlyList<Guid> UserIds);

public static class MediaEventTypes
{
    public const string StreamStarted = "stream_started";
    public const string StreamEnded = "stream_ended";
    public const string Listeners = "listeners";
}

/// <summary>
/// What MediaService announces. <see cref="SessionId"/>, <see cref="Title"/> and <see cref="Denoise"/> travel with
/// stream_started (and SessionId with stream_ended) so that RecordingService can key the recording by the session.
/// </summary>
public sealed record MediaEvent(
    string Type, Guid UserId, string UserName, int Listeners = 0, Guid? SessionId = null, string? Title = null, bool? Denoise = null);

public static class RecordingEventTypes
{
    /// <summary>A stream began being recorded.</summary>
    public const string Started = "started";

    /// <summary>Its recording ended (complete, repaired or failed).</summary>
    public const string Finished = "finished";

    /// <summary>The owner retitled it.</summary>
    public const string Renamed = "renamed";

    /// <summary>The owner deleted it.</summary>
    public const string Deleted = "deleted";
}

/// <summary>A change to one of a user's recordings; the owner and the owner's friends see it on their pages.</summary>
public sealed record RecordingEvent(string Type, Guid RecordingId, Guid OwnerId, string OwnerName);
