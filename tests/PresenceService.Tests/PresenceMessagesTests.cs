using System.Text.Json;
using AudioStream.PresenceService.Infrastructure;
using AudioStream.PresenceService.Realtime;

namespace AudioStream.PresenceService.Tests;

/// <summary>The wire format is the contract of API.md (Presence); the pages parse exactly these names.</summary>
public sealed class PresenceMessagesTests
{
    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement;

    [Fact]
    public void All_statuses_carries_username_online_streaming_and_listeners()
    {
        var message = Parse(PresenceMessages.AllStatuses([new FriendStatus("bob", true, true, 3)]));
        Assert.Equal("all_statuses", message.GetProperty("type").GetString());
        var status = message.GetProperty("statuses")[0];
        Assert.Equal("bob", status.GetProperty("username").GetString());
        Assert.True(status.GetProperty("online").GetBoolean());
        Assert.True(status.GetProperty("isStreaming").GetBoolean());
        Assert.Equal(3, status.GetProperty("listeners").GetInt32());
    }

    [Fact]
    public void Updates_use_the_contract_names()
    {
        var presence = Parse(PresenceMessages.PresenceUpdate("bob", false));
        Assert.Equal("presence_update", presence.GetProperty("type").GetString());
        Assert.False(presence.GetProperty("online").GetBoolean());

        var streaming = Parse(PresenceMessages.StreamingStatusUpdate("bob", true));
        Assert.Equal("streaming_status_update", streaming.GetProperty("type").GetString());
        Assert.True(streaming.GetProperty("isStreaming").GetBoolean());

        var listeners = Parse(PresenceMessages.ListenersUpdate("bob", 7));
        Assert.Equal("listeners_update", listeners.GetProperty("type").GetString());
        Assert.Equal(7, listeners.GetProperty("listeners").GetInt32());

        Assert.Equal("friends_changed", Parse(PresenceMessages.FriendsChanged).GetProperty("type").GetString());
        Assert.Equal("requests_changed", Parse(PresenceMessages.RequestsChanged).GetProperty("type").GetString());
    }

    [Fact]
    public void Usernames_are_escaped_not_spliced_into_the_json()
    {
        var message = Parse(PresenceMessages.PresenceUpdate("a\"b<script>", true));
        Assert.Equal("a\"b<script>", message.GetProperty("username").GetString());
    }
}
