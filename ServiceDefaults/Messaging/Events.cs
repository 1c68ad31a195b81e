using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AudioStream.ServiceDefaults.Messaging;

/// <summary>
/// Change notices between services, over Redis pub/sub. They say what changed, not the new state:
/// a receiver that misses one loses no data, only a live update (access is re-checked on a timer as well).
/// </summary>
public static class EventChannels
{
    /// <summary><see cref="SocialEvent"/>s from SocialService.</summary>
    public static readonly RedisChannel Social = RedisChannel.Literal("audiostream:events:social");

    /// <summary><see cref="MediaEvent"/>s from MediaService.</summary>
    public static readonly RedisChannel Media = RedisChannel.Literal("audiostream:events:media");

    /// <summary><see cref="RecordingEvent"/>s from RecordingService.</summary>
    public static readonly RedisChannel Recordings = RedisChannel.Literal("audiostream:events:recordings");

    /// <summary><see cref="SessionRevoked"/> from whichever service ends a session (IdentityService's logout).</summary>
    public static readonly RedisChannel Sessions = RedisChannel.Literal("audiostream:events:sessions");

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        // A hand-written or foreign event may put "type" anywhere.
        AllowOutOfOrderMetadataProperties = true,
    };

    public static Task PublishAsync<TEvent>(this IConnectionMultiplexer redis, RedisChannel channel, TEvent message) =>
        redis.GetSubscriber().PublishAsync(channel, JsonSerializer.Serialize(message, Json));

    /// <summary>Publishes as <see cref="MediaEvent"/>, so the JSON carries its "type" whatever the record's own type.</summary>
    public static Task PublishAsync(this IConnectionMultiplexer redis, MediaEvent message) =>
        redis.PublishAsync<MediaEvent>(Media, message);

    public static Task PublishAsync(this IConnectionMultiplexer redis, SessionRevoked message) =>
        redis.PublishAsync<SessionRevoked>(Sessions, message);

    /// <summary>
    /// Reads <paramref name="channel"/> in order, handing each event to <paramref name="dispatch"/> (which must not
    /// block: the next message waits for it); a message that is not one is logged and skipped.
    /// </summary>
    public static async Task<ChannelMessageQueue> SubscribeAsync<TEvent>(
        this IConnectionMultiplexer redis, RedisChannel channel, Action<TEvent> dispatch, ILogger logger) where TEvent : class
    {
        var subscription = await redis.GetSubscriber().SubscribeAsync(channel);
        subscription.OnMessage(message =>
        {
            if (Read<TEvent>(message.Message) is { } parsed)
            {
                dispatch(parsed);
            }
            else
            {
                logger.LogWarning("Ignored a malformed {Event}", typeof(TEvent).Name);
            }
        });
        return subscription;
    }

    /// <summary>The event, or null when the message is not one (malformed, or a type this build does not know).</summary>
    public static TEvent? Read<TEvent>(RedisValue message) where TEvent : class
    {
        try
        {
            return message.HasValue ? JsonSerializer.Deserialize<TEvent>((string)message!, Json) : null;
        }
        catch (Exception exception) when (exception is JsonException or NotSupportedException)
        {
            // NotSupportedException: no "type" at all for an abstract event family.
            return null;
        }
    }
}

public static class SocialEventTypes
{
    /// <summary>A friendship began.</summary>
    public const string FriendsChanged = "friends_changed";

    /// <summary>A friendship ended: whatever one of the two could see or hear of the other stops.</summary>
    public const string FriendshipEnded = "friendship_ended";

    /// <summary>A friend request was sent, rejected or cancelled.</summary>
    public const string RequestsChanged = "requests_changed";
}

public sealed record SocialEvent(string Type, IReadOnlyList<Guid> UserIds);

/// <summary>
/// What MediaService announces about a user's live stream, one record per kind (the JSON "type" names it). Every
/// kind carries the stream's session, so that a late event about an earlier stream is told apart from the current one.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(StreamStarted), "stream_started")]
[JsonDerivedType(typeof(StreamEnded), "stream_ended")]
[JsonDerivedType(typeof(ListenerCountChanged), "listeners")]
public abstract record MediaEvent(Guid UserId, string UserName, Guid SessionId);

/// <summary>A stream went live; RecordingService keys the recording by <see cref="MediaEvent.SessionId"/>.</summary>
public sealed record StreamStarted(Guid UserId, string UserName, Guid SessionId, string? Title, bool Denoise)
    : MediaEvent(UserId, UserName, SessionId);

/// <summary>A stream ended; nothing more is published about it.</summary>
public sealed record StreamEnded(Guid UserId, string UserName, Guid SessionId) : MediaEvent(UserId, UserName, SessionId);

/// <summary>A listener connected to or left a live stream.</summary>
public sealed record ListenerCountChanged(Guid UserId, string UserName, Guid SessionId, int Listeners)
    : MediaEvent(UserId, UserName, SessionId);

/// <summary>A sign-in session ended: whatever was opened with it (listener connections, presence sockets) closes.</summary>
public sealed record SessionRevoked(Guid UserId, string SessionId);

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
/// <param name="StreamId">The live session recorded (the recording's id too); null for a recording of no stream.</param>
/// <param name="StoppedReason">
/// Set when the recording stopped while its stream may go on: the limit reached (quota, disk-full, max-length) or
/// failed. MediaService shows it in the stream's stats.
/// </param>
/// <param name="StoppedMessage">What the owner is told about <paramref name="StoppedReason"/>, as RecordingService words it.</param>
public sealed record RecordingEvent(
    string Type, Guid RecordingId, Guid OwnerId, string OwnerName, Guid? StreamId = null, string? StoppedReason = null, string? StoppedMessage = null);
