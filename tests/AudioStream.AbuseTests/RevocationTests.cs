using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using AudioStream.MediaService.WebRtc.Client;
using AudioStream.ServiceDefaults.Messaging;
using Npgsql;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace AudioStream.AbuseTests;

/// <summary>
/// Access ends when permission does (issue 12, item 3): unfriending and logging out hang up live listener connections
/// and close presence sockets within 2 s, logging out ends the stream that sign-in started, and an ex-friend's
/// presence stops reaching the page. Each test prints the time from the request to the cut.
/// </summary>
[Collection(AbuseCollection.Name)]
public sealed class RevocationTests(AbuseAppHostFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan CutWithin = TimeSpan.FromSeconds(2);

    /// <summary>How long a cut is waited for: longer than <see cref="CutWithin"/>, so a slow cut is measured, not just failed.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData("the broadcaster")]
    [InlineData("the listener")]
    public async Task Unfriending_hangs_up_the_former_friends_live_listener_within_two_seconds(string whoUnfriends)
    {
        using var alice = await new UserSession(fixture, UserSession.UniqueName("alice")).RegisterAsync();
        using var bob = await new UserSession(fixture, UserSession.UniqueName("bob")).RegisterAsync();
        await using var live = await ToneBroadcast.StartAsync(alice);

        // Three rounds: befriend, listen, unfriend — the cut each time, and listening is refused after it.
        for (int round = 1; round <= 3; round++)
        {
            await alice.BefriendAsync(bob);
            using var listener = await live.ListenAsync(bob);

            var clock = Stopwatch.StartNew();
            var (unfriending, former) = whoUnfriends == "the broadcaster" ? (alice, bob) : (bob, alice);
            Assert.Equal(HttpStatusCode.NoContent, await UserSession.StatusOfAsync(unfriending.DeleteAsync($"/api/social/friends/{former.UserName}")));
            var cut = await TimeUntilAsync(listener.Closed, clock);
            output.WriteLine($"unfriend by {whoUnfriends}, round {round}: listener hung up {cut.TotalMilliseconds:F0} ms after the request");
            Assert.True(cut < CutWithin, $"the former friend still listened {cut.TotalMilliseconds:F0} ms after the unfriend");

            using var again = await bob.PostSdpAsync($"/api/media/whep/{alice.UserName}", new WebRtcClient(sends: false).Offer);
            Assert.Equal(HttpStatusCode.Forbidden, again.StatusCode);
        }
    }

    [Fact]
    public async Task Logging_out_hangs_up_that_sessions_listener_and_closes_its_presence_socket_within_two_seconds()
    {
        using var alice = await new UserSession(fixture, UserSession.UniqueName("alice")).RegisterAsync();
        using var bob = await new UserSession(fixture, UserSession.UniqueName("bob")).RegisterAsync();
        await alice.BefriendAsync(bob);
        // Bob is signed in on a second device too: that session is not the one that logs out.
        using var bobElsewhere = await SignInElsewhereAsync(bob);

        await using var live = await ToneBroadcast.StartAsync(alice);
        using var listener = await live.ListenAsync(bob);
        using var listenerElsewhere = await live.ListenAsync(bobElsewhere);
        await using var socket = await PresenceClient.ConnectAsync(bob);
        await using var socketElsewhere = await PresenceClient.ConnectAsync(bobElsewhere);
        await socket.WaitForTypeAsync("all_statuses");
        await socketElsewhere.WaitForTypeAsync("all_statuses");

        var clock = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.NoContent, await UserSession.StatusOfAsync(bob.PostAsync("/api/identity/logout")));
        var socketClosed = socket.CollectAsync(Patience).ContinueWith(_ => clock.Elapsed, TaskScheduler.Default);
        var listenerCut = await TimeUntilAsync(listener.Closed, clock);
        var socketCut = await socketClosed;
        output.WriteLine($"logout: listener hung up after {listenerCut.TotalMilliseconds:F0} ms, presence socket closed after {socketCut.TotalMilliseconds:F0} ms");

        Assert.True(listenerCut < CutWithin, $"the listener outlived the logout by {listenerCut.TotalMilliseconds:F0} ms");
        Assert.True(socketCut < CutWithin, $"the presence socket outlived the logout by {socketCut.TotalMilliseconds:F0} ms");
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);

        // The other session keeps both.
        await socketElsewhere.SendRawAsync("{\"type\":\"ping\"}"u8.ToArray());
        await socketElsewhere.WaitForTypeAsync("pong");
        Assert.Equal(WebSocketState.Open, socketElsewhere.State);
        await AssertStillHeardAsync(listenerElsewhere);
    }

    [Fact]
    public async Task Logging_out_ends_the_stream_that_session_started_within_two_seconds_and_no_other_sessions_logout_does()
    {
        using var alice = await new UserSession(fixture, UserSession.UniqueName("alice")).RegisterAsync();
        using var aliceElsewhere = await SignInElsewhereAsync(alice);
        using var bob = await new UserSession(fixture, UserSession.UniqueName("bob")).RegisterAsync();
        await alice.BefriendAsync(bob);
        var (events, lifetime) = await MediaTestSupport.SubscribeMediaEventsAsync(fixture);
        await using var _ = lifetime;
        await using var live = await ToneBroadcast.StartAsync(alice);
        using var bobListening = await live.ListenAsync(bob);

        // Her other sign-in listens to her stream, then logs out: the stream goes on.
        await AssertLogoutLeavesTheStreamLiveAsync(live, aliceElsewhere, bob, bobListening);

        // The sign-in that went live logs out: the stream ends, announced like any end.
        var clock = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.NoContent, await UserSession.StatusOfAsync(alice.PostAsync("/api/identity/logout")));
        var ended = await events.NextForAsync<StreamEnded>(alice.UserName, Patience);
        var endedAfter = clock.Elapsed;
        var listenerCut = await TimeUntilAsync(bobListening.Closed, clock);
        output.WriteLine($"broadcaster logout: stream_ended after {endedAfter.TotalMilliseconds:F0} ms, the listener hung up after {listenerCut.TotalMilliseconds:F0} ms");
        Assert.Equal(live.SessionId, ended.SessionId);
        Assert.True(endedAfter < CutWithin, $"the stream outlived the logout by {endedAfter.TotalMilliseconds:F0} ms");
        Assert.True(listenerCut < CutWithin, $"the stream's listener outlived the logout by {listenerCut.TotalMilliseconds:F0} ms");
        Assert.Equal(HttpStatusCode.NotFound, await UserSession.StatusOfAsync(bob.GetAsync($"/api/media/streams/{alice.UserName}")));
        Assert.Equal("signed-out", await EndReasonAsync(live.SessionId));
    }

    [Fact]
    public async Task A_stream_started_with_a_stream_key_outlives_the_owners_logout()
    {
        using var alice = await new UserSession(fixture, UserSession.UniqueName("alice")).RegisterAsync();
        using var bob = await new UserSession(fixture, UserSession.UniqueName("bob")).RegisterAsync();
        await alice.BefriendAsync(bob);
        var (_, key) = await alice.CreateStreamKeyAsync("OBS");
        using var obs = fixture.CreateGatewayClient();
        await using var live = await ToneBroadcast.StartWithKeyAsync(alice, key, obs);
        using var bobListening = await live.ListenAsync(bob);

        // Alice listens from the page, then logs out: the key's stream goes on.
        await AssertLogoutLeavesTheStreamLiveAsync(live, alice, bob, bobListening);
    }

    [Fact]
    public async Task Unfriending_stops_the_former_friends_presence_updates()
    {
        using var alice = await new UserSession(fixture, UserSession.UniqueName("alice")).RegisterAsync();
        using var bob = await new UserSession(fixture, UserSession.UniqueName("bob")).RegisterAsync();
        await alice.BefriendAsync(bob);
        await using var aliceSocket = await PresenceClient.ConnectAsync(alice);
        await aliceSocket.WaitForTypeAsync("all_statuses");

        // While they are friends, bob coming online reaches alice.
        await using (var bobSocket = await PresenceClient.ConnectAsync(bob))
        {
            await aliceSocket.WaitForTypeAsync("presence_update", m => About(m, bob) && m.GetProperty("online").GetBoolean());
        }
        await aliceSocket.WaitForTypeAsync("presence_update", m => About(m, bob) && !m.GetProperty("online").GetBoolean());

        // Bob unfriends alice: her page hears that the list changed and gets a picture without him.
        Assert.Equal(HttpStatusCode.NoContent, await UserSession.StatusOfAsync(bob.DeleteAsync($"/api/social/friends/{alice.UserName}")));
        await aliceSocket.WaitForTypeAsync("friends_changed", timeout: CutWithin);
        var picture = await aliceSocket.WaitForTypeAsync("all_statuses", timeout: CutWithin);
        Assert.Empty(picture.GetProperty("statuses").EnumerateArray());

        // From now on nothing of bob's reaches her: not coming online, not going live.
        await using var bobAgain = await PresenceClient.ConnectAsync(bob);
        await bobAgain.WaitForTypeAsync("all_statuses");
        await bob.GoLiveAsync(denoise: false);
        var received = await aliceSocket.CollectAsync(TimeSpan.FromSeconds(2));
        Assert.Equal(HttpStatusCode.OK, await UserSession.StatusOfAsync(bob.DeleteAsync("/api/media/streams/current")));
        Assert.DoesNotContain(received, m => m.TryGetProperty("username", out var name) && name.GetString() == bob.UserName);
    }

    [Fact]
    public async Task A_listener_whose_friendship_ended_without_an_event_is_hung_up_at_the_next_access_check()
    {
        using var alice = await new UserSession(fixture, UserSession.UniqueName("alice")).RegisterAsync();
        using var bob = await new UserSession(fixture, UserSession.UniqueName("bob")).RegisterAsync();
        await alice.BefriendAsync(bob);
        await using var live = await ToneBroadcast.StartAsync(alice);
        using var listener = await live.ListenAsync(bob);

        // The friendship ends behind SocialService's back, so no friendship_ended goes out (as if Redis had lost it).
        await using (var socialDb = new NpgsqlConnection(await fixture.App.GetConnectionStringAsync("socialdb")))
        {
            await socialDb.OpenAsync();
            await using var delete = new NpgsqlCommand(
                """DELETE FROM friendships WHERE ("UserId" = @alice AND "FriendId" = @bob) OR ("UserId" = @bob AND "FriendId" = @alice)""",
                socialDb);
            delete.Parameters.AddWithValue("alice", await UserIdOfAsync(alice));
            delete.Parameters.AddWithValue("bob", await UserIdOfAsync(bob));
            Assert.Equal(2, await delete.ExecuteNonQueryAsync());
        }

        var clock = Stopwatch.StartNew();
        var cut = await TimeUntilAsync(listener.Closed, clock);
        output.WriteLine($"missed unfriend: listener hung up {cut.TotalMilliseconds:F0} ms after the friendship ended (checks every {AbuseAppHostFixture.AccessCheckSeconds} s)");
        Assert.True(cut < TimeSpan.FromSeconds(AbuseAppHostFixture.AccessCheckSeconds) + CutWithin,
            $"the former friend still listened {cut.TotalMilliseconds:F0} ms after the friendship ended");
    }

    [Fact]
    public async Task A_session_that_ended_without_an_event_loses_its_listener_and_presence_socket_at_the_next_check()
    {
        using var alice = await new UserSession(fixture, UserSession.UniqueName("alice")).RegisterAsync();
        using var bob = await new UserSession(fixture, UserSession.UniqueName("bob")).RegisterAsync();
        await alice.BefriendAsync(bob);
        await using var live = await ToneBroadcast.StartAsync(alice);
        using var listener = await live.ListenAsync(bob);
        await using var socket = await PresenceClient.ConnectAsync(bob);
        await socket.WaitForTypeAsync("all_statuses");

        // Bob's session disappears from Redis with no session_revoked (as if the event had been lost).
        var bobId = (await UserIdOfAsync(bob)).ToString();
        await using (var redis = await ConnectionMultiplexer.ConnectAsync((await fixture.App.GetConnectionStringAsync("redis"))!))
        {
            var server = redis.GetServers().Single();
            var database = redis.GetDatabase();
            var removed = 0;
            await foreach (var key in server.KeysAsync(pattern: "audiostream:session:*"))
            {
                if (await database.StringGetAsync(key) == bobId && await database.KeyDeleteAsync(key))
                {
                    removed++;
                }
            }
            Assert.Equal(1, removed);
        }

        var clock = Stopwatch.StartNew();
        var socketClosed = socket.CollectAsync(Patience).ContinueWith(_ => clock.Elapsed, TaskScheduler.Default);
        var listenerCut = await TimeUntilAsync(listener.Closed, clock);
        var socketCut = await socketClosed;
        output.WriteLine($"missed logout: listener hung up after {listenerCut.TotalMilliseconds:F0} ms (checks every {AbuseAppHostFixture.AccessCheckSeconds} s), presence socket closed after {socketCut.TotalMilliseconds:F0} ms (checks every 10 s)");
        Assert.True(listenerCut < TimeSpan.FromSeconds(AbuseAppHostFixture.AccessCheckSeconds) + CutWithin, $"the listener outlived its session by {listenerCut.TotalMilliseconds:F0} ms");
        Assert.True(socketCut < TimeSpan.FromSeconds(10) + CutWithin, $"the presence socket outlived its session by {socketCut.TotalMilliseconds:F0} ms");
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
    }

    /// <summary>The same user signed in a second time, as from another device.</summary>
    private async Task<UserSession> SignInElsewhereAsync(UserSession user)
    {
        var elsewhere = new UserSession(fixture, user.UserName);
        using var login = await elsewhere.PostAsync("/api/identity/login", new { username = user.UserName, password = user.Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return elsewhere;
    }

    /// <summary>
    /// <paramref name="owner"/>'s sign-in listens to the stream and logs out: its listener is cut (so MediaService acted
    /// on the logout), yet the stream stays live and <paramref name="friend"/> keeps hearing it.
    /// </summary>
    private static async Task AssertLogoutLeavesTheStreamLiveAsync(ToneBroadcast live, UserSession owner, UserSession friend, WebRtcClient friendListening)
    {
        using var ownerListening = await live.ListenAsync(owner);
        Assert.Equal(HttpStatusCode.NoContent, await UserSession.StatusOfAsync(owner.PostAsync("/api/identity/logout")));
        await ownerListening.Closed.WaitAsync(Patience);
        await AssertStillHeardAsync(friendListening);
        Assert.Equal(HttpStatusCode.OK, await UserSession.StatusOfAsync(friend.GetAsync($"/api/media/streams/{live.Owner.UserName}")));
    }

    /// <summary>The listener still gets audio: the stream is live and its broadcaster still sending.</summary>
    private static async Task AssertStillHeardAsync(WebRtcClient listener)
    {
        Assert.False(listener.IsClosed);
        long heard = listener.PacketsReceived;
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.True(listener.PacketsReceived > heard, "the stream stopped reaching its listener");
    }

    /// <summary>Why MediaService recorded the stream as ended.</summary>
    private async Task<string?> EndReasonAsync(Guid sessionId)
    {
        await using var mediaDb = new NpgsqlConnection(await fixture.App.GetConnectionStringAsync("mediadb"));
        await mediaDb.OpenAsync();
        await using var query = new NpgsqlCommand("""SELECT "EndReason" FROM streams WHERE "Id" = @id""", mediaDb);
        query.Parameters.AddWithValue("id", sessionId);
        return await query.ExecuteScalarAsync() as string;
    }

    private static async Task<Guid> UserIdOfAsync(UserSession user) =>
        Guid.Parse((await user.GetJsonAsync("/api/identity/me")).GetProperty("id").GetString()!);

    private static bool About(System.Text.Json.JsonElement message, UserSession user) =>
        message.TryGetProperty("username", out var name) && name.GetString() == user.UserName;

    /// <summary>Time on <paramref name="clock"/> when <paramref name="cut"/> completes (or after <see cref="Patience"/>).</summary>
    private static async Task<TimeSpan> TimeUntilAsync(Task cut, Stopwatch clock)
    {
        await Task.WhenAny(cut, Task.Delay(Patience));
        return clock.Elapsed;
    }
}
