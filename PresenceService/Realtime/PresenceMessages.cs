using System.Text.Json;
using System.Text.Json.Serialization;
using AudioStream.PresenceService.Infrastructure;

namespace AudioStream.PresenceService.Realtime;

/// <summary>The messages of /ws/presence/ (API.md, Presence), serialised once and sent to many sockets.</summary>
public static class PresenceMessages
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string AllStatuses(IReadOnlyList<FriendStatus> statuses) =>
        Serialize(new { type = "all_statuses", statuses });

    public static string PresenceUpdate(string username, bool online) =>
        Serialize(new { type = "presence_update", username, online });

    public static string StreamingStatusUpdate(string username, bool isStreaming) =>
        Serialize(new { type = "streaming_status_update", username, isStreaming });

    public static string ListenersUpdate(string username, int listeners) =>
        Serialize(new { type = "listeners_update", username, listeners });

    /// <param name="change">started, finished, renamed or deleted.</param>
    public static string RecordingsChanged(string username, Guid recordingId, string change) =>
        Serialize(new { type = "recordings_changed", username, recordingId, change });

    public static string FriendsChanged { get; } = Serialize(new { type = "friends_changed" });

    public static string RequestsChanged { get; } = Serialize(new { type = "requests_changed" });

    public static string Pong { get; } = Serialize(new { type = "pong" });

    private static string Serialize<T>(T message) => JsonSerializer.Serialize(message, Json);
}

/// <summary>Online/offline changes between PresenceService instances.</summary>
public sealed record PresenceEvent(Guid UserId, string UserName, bool Online);
