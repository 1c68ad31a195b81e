using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using AudioStream.ServiceDefaults.Messaging;
using StackExchange.Redis;

namespace AudioStream.IntegrationTests;

[Collection(AppHostCollection.Name)]
public sealed class PresenceTests(AppHostFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan WithinASecond = TimeSpan.FromSeconds(1.5);

    private async Task<(UserSession Alice, UserSession Bob)> FriendsAsync()
    {
        var alice = await new UserSession(fixture, UserSession.UniqueName("alice")).RegisterAsync();
        var bob = await new UserSession(fixture, UserSession.UniqueName("bob")).RegisterAsync();
        await alice.BefriendAsync(bob);
        return (alice, bob);
    }

    private static bool About(JsonElement message, UserSession user) => message.GetProperty("username").GetString() == user.UserName;

    [Fact]
    public async Task The_first_message_lists_only_friends_statuses()
    {
        var (alice, bob) = await FriendsAsync();
        using var disposeAlice = alice;
        using var disposeBob = bob;
        using var stranger = await new UserSession(fixture, UserSession.UniqueName("stranger")).RegisterAsync();
        await using var strangerSocket = await PresenceClient.ConnectAsync(stranger);
        await using var bobSocket = await PresenceClient.ConnectAsync(bob);

        await using var aliceSocket = await PresenceClient.ConnectAsync(alice);
        var first = await aliceSocket.WaitForAsync(_ => true, what: "first");

        Assert.Equal("all_statuses", first.GetProperty("type").GetString());
        var statuses = first.GetProperty("statuses").EnumerateArray().ToList();
        var bobStatus = Assert.Single(statuses);
        Assert.Equal(bob.UserName, bobStatus.GetProperty("username").GetString());
        Assert.True(bobStatus.GetProperty("online").GetBoolean());
        Assert.False(bobStatus.GetProperty("isStreaming").GetBoolean());
        Assert.Equal(0, bobStatus.GetProperty("listeners").GetInt32());
    }

    [Fact]
    public async Task A_friend_coming_online_and_going_offline_is_pushed_within_a_second()
    {
        var (alice, bob) = await FriendsAsync();
        using var disposeAlice = alice;
        using var disposeBob = bob;
        await using var aliceSocket = await PresenceClient.ConnectAsync(alice);
        await aliceSocket.WaitForTypeAsync("all_statuses");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var bobTab1 = await PresenceClient.ConnectAsync(bob);
        await aliceSocket.WaitForTypeAsync("presence_update", m => About(m, bob) && m.GetProperty("online").GetBoolean(), WithinASecond);
        output.WriteLine($"online reached a friend {clock.ElapsedMilliseconds} ms after the socket opened");

        // A second tab, then closing the first: still online until the last one closes.
        await using var bobTab2 = await PresenceClient.ConnectAsync(bob);
        await bobTab2.WaitForTypeAsync("all_statuses");
        await bobTab1.DisposeAsync();
        var meanwhile = await aliceSocket.CollectAsync(TimeSpan.FromSeconds(1.5));
        Assert.DoesNotContain(meanwhile, m => m.GetProperty("type").GetString() == "presence_update" && About(m, bob));

        clock.Restart();
        await bobTab2.CloseAsync();
        await aliceSocket.WaitForTypeAsync("presence_update", m => About(m, bob) && !m.GetProperty("online").GetBoolean(), WithinASecond);
        output.WriteLine($"offline reached a friend {clock.ElapsedMilliseconds} ms after the last socket closed");
    }

    [Fact]
    public async Task A_non_friend_presence_is_never_delivered()
    {
        using var alice = await new UserSession(fixture, UserSession.UniqueName("alice")).RegisterAsync();
        using var stranger = await new UserSession(fixture, UserSession.UniqueName("stranger")).RegisterAsync();
        await using var aliceSocket = await PresenceClient.ConnectAsync(alice);
        await aliceSocket.WaitForTypeAsync("all_statuses");

        await using (var strangerSocket = await PresenceClient.ConnectAsync(stranger))
        {
            await strangerSocket.WaitForTypeAsync("all_statuses");
        }
        await PublishMediaEventAsync(new StreamStarted(await UserIdOfAsync(stranger), stranger.UserName, Guid.NewGuid(), null, false));

        var received = await aliceSocket.CollectAsync(TimeSpan.FromSeconds(2));
        Assert.DoesNotContain(received, m => m.TryGetProperty("username", out var name) && name.GetString() == stranger.UserName);
    }

    [Fact]
    public async Task Requests_and_new_friendships_are_pushed_to_both_sides()
    {
        using var alice = await new UserSession(fixture, UserSession.UniqueName("alice")).RegisterAsync();
        using var bob = await new UserSession(fixture, UserSession.UniqueName("bob")).RegisterAsync();
        await using var aliceSocket = await PresenceClient.ConnectAsync(alice);
        await using var bobSocket = await PresenceClient.ConnectAsync(bob);
        await aliceSocket.WaitForTypeAsync("all_statuses");
        await bobSocket.WaitForTypeAsync("all_statuses");

        using var sent = await alice.PostAsync("/api/social/requests", new { username = bob.UserName });
        await bobSocket.WaitForTypeAsync("requests_changed", timeout: WithinASecond);
        var id = JsonDocument.Parse(await sent.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();

        using var accepted = await bob.PostAsync($"/api/social/requests/{id}/accept");
        await aliceSocket.WaitForTypeAsync("friends_changed", timeout: WithinASecond);
        var fresh = await aliceSocket.WaitForTypeAsync("all_statuses", timeout: WithinASecond);
        var bobStatus = Assert.Single(fresh.GetProperty("statuses").EnumerateArray());
        Assert.True(bobStatus.GetProperty("online").GetBoolean());
    }

    [Fact]
    public async Task Live_state_and_listener_counts_from_media_events_reach_friends()
    {
        var (alice, bob) = await FriendsAsync();
        using var disposeAlice = alice;
        using var disposeBob = bob;
        await using var aliceSocket = await PresenceClient.ConnectAsync(alice);
        await aliceSocket.WaitForTypeAsync("all_statuses");
        var bobId = await UserIdOfAsync(bob);
        var session = Guid.NewGuid();

        await PublishMediaEventAsync(new StreamStarted(bobId, bob.UserName, session, null, false));
        await aliceSocket.WaitForTypeAsync("streaming_status_update", m => About(m, bob) && m.GetProperty("isStreaming").GetBoolean(), WithinASecond);
        await PublishMediaEventAsync(new ListenerCountChanged(bobId, bob.UserName, session, 2));
        await aliceSocket.WaitForTypeAsync("listeners_update", m => About(m, bob) && m.GetProperty("listeners").GetInt32() == 2, WithinASecond);

        // A page opened now starts from the same picture.
        await using var laterTab = await PresenceClient.ConnectAsync(alice);
        var snapshot = Assert.Single((await laterTab.WaitForTypeAsync("all_statuses")).GetProperty("statuses").EnumerateArray());
        Assert.True(snapshot.GetProperty("isStreaming").GetBoolean());
        Assert.Equal(2, snapshot.GetProperty("listeners").GetInt32());

        await PublishMediaEventAsync(new StreamEnded(bobId, bob.UserName, session));
        await aliceSocket.WaitForTypeAsync("streaming_status_update", m => About(m, bob) && !m.GetProperty("isStreaming").GetBoolean(), WithinASecond);
    }

    [Fact]
    public async Task An_oversized_message_closes_that_socket_and_the_service_keeps_serving()
    {
        using var alice = await new UserSession(fixture, UserSession.UniqueName("alice")).RegisterAsync();
        var socket = await PresenceClient.ConnectAsync(alice);
        await socket.WaitForTypeAsync("all_statuses");

        await socket.SendRawAsync(new byte[64 * 1024]);
        await socket.CollectAsync(TimeSpan.FromSeconds(2));
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, socket.CloseStatus);
        await socket.DisposeAsync();

        await using var again = await PresenceClient.ConnectAsync(alice);
        await again.WaitForTypeAsync("all_statuses");
        await again.SendRawAsync("{\"type\":\"ping\"}"u8.ToArray());
        await again.WaitForTypeAsync("pong");
    }

    [Fact]
    public async Task The_socket_refuses_a_request_without_a_session()
    {
        using var anonymous = new UserSession(fixture);
        var exception = await Assert.ThrowsAsync<WebSocketException>(() => PresenceClient.ConnectAsync(anonymous));
        Assert.Contains("401", exception.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, await UserSession.StatusOfAsync(anonymous.GetAsync("/ws/presence/")));
    }

    private async Task PublishMediaEventAsync(MediaEvent mediaEvent)
    {
        var connectionString = await fixture.App.GetConnectionStringAsync("redis");
        await using var redis = await ConnectionMultiplexer.ConnectAsync(connectionString!);
        await redis.PublishAsync(mediaEvent);
    }

    private static async Task<Guid> UserIdOfAsync(UserSession user) =>
        Guid.Parse((await user.GetJsonAsync("/api/identity/me")).GetProperty("id").GetString()!);
}
