using System.Net;
using System.Text.Json;
using AudioStream.ServiceDefaults.Messaging;
using StackExchange.Redis;

namespace AudioStream.AbuseTests;

/// <summary>
/// Friends never see a stream as live after it ended (issue 12, item 6): a listener leaving right after the end
/// (which counts listeners again) must not put the owner back among the live, on any presence instance.
/// </summary>
[Collection(AbuseCollection.Name)]
public sealed class LiveStateTests(AbuseAppHostFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task An_ended_stream_is_never_reported_live_again()
    {
        using var alice = await new UserSession(fixture, UserSession.UniqueName("alice")).RegisterAsync();
        using var bob = await new UserSession(fixture, UserSession.UniqueName("bob")).RegisterAsync();
        using var carol = await new UserSession(fixture, UserSession.UniqueName("carol")).RegisterAsync();
        await alice.BefriendAsync(bob);
        await alice.BefriendAsync(carol);
        await using var carolSocket = await PresenceClient.ConnectAsync(carol);
        await carolSocket.WaitForTypeAsync("all_statuses");

        var live = await ToneBroadcast.StartAsync(alice);
        await using (live)
        {
            var listener = await live.ListenAsync(bob);
            await carolSocket.WaitForTypeAsync("listeners_update", m => About(m, alice) && m.GetProperty("listeners").GetInt32() == 1, Timeout);

            // Alice stops; bob's player leaves right after.
            Assert.Equal(HttpStatusCode.OK, await UserSession.StatusOfAsync(alice.DeleteAsync("/api/media/streams/current")));
            listener.Dispose();
        }

        await carolSocket.WaitForTypeAsync("streaming_status_update", m => About(m, alice) && !m.GetProperty("isStreaming").GetBoolean(), Timeout);
        var after = await carolSocket.CollectAsync(TimeSpan.FromSeconds(3));
        // (The recording's recordings_changed may still come; nothing may say live or count listeners.)
        Assert.DoesNotContain(after, m => About(m, alice) && m.GetProperty("type").GetString() is "listeners_update" or "streaming_status_update");

        // A page opened now (on either presence instance) starts from the same picture: not live.
        await AssertNotLiveOnAnyPageAsync(carol, alice);
    }

    [Fact]
    public async Task One_streams_events_reach_friends_in_order_and_a_count_after_its_end_changes_nothing()
    {
        using var alice = await new UserSession(fixture, UserSession.UniqueName("alice")).RegisterAsync();
        using var carol = await new UserSession(fixture, UserSession.UniqueName("carol")).RegisterAsync();
        await alice.BefriendAsync(carol);
        var aliceId = Guid.Parse((await alice.GetJsonAsync("/api/identity/me")).GetProperty("id").GetString()!);
        await using var carolSocket = await PresenceClient.ConnectAsync(carol);
        await carolSocket.WaitForTypeAsync("all_statuses");

        // A burst as MediaService publishes it for a busy stream, then one count that arrives after the end.
        var session = Guid.NewGuid();
        await using (var redis = await ConnectionMultiplexer.ConnectAsync((await fixture.App.GetConnectionStringAsync("redis"))!))
        {
            var published = new List<Task> { redis.PublishAsync(new StreamStarted(aliceId, alice.UserName, session, null, false)) };
            published.AddRange(Enumerable.Range(1, 30).Select(count => redis.PublishAsync(new ListenerCountChanged(aliceId, alice.UserName, session, count))));
            published.Add(redis.PublishAsync(new StreamEnded(aliceId, alice.UserName, session)));
            published.Add(redis.PublishAsync(new ListenerCountChanged(aliceId, alice.UserName, session, 0)));
            await Task.WhenAll(published);
        }

        var counts = new List<int>();
        await carolSocket.WaitForAsync(m =>
        {
            if (About(m, alice) && m.GetProperty("type").GetString() == "listeners_update")
            {
                counts.Add(m.GetProperty("listeners").GetInt32());
            }
            return About(m, alice) && m.GetProperty("type").GetString() == "streaming_status_update" && !m.GetProperty("isStreaming").GetBoolean();
        }, Timeout, "end of alice's stream");
        // In order; some may be missing (another presence instance may have recorded the end first), none may come late.
        Assert.Equal(counts.Distinct().Order(), counts);
        var after = await carolSocket.CollectAsync(TimeSpan.FromSeconds(2));
        Assert.DoesNotContain(after, m => About(m, alice) && m.GetProperty("type").GetString() is "listeners_update" or "streaming_status_update");
        await AssertNotLiveOnAnyPageAsync(carol, alice);
    }

    /// <summary>Fresh sockets (the tests run two presence instances; a few land on both) start from "not live".</summary>
    private static async Task AssertNotLiveOnAnyPageAsync(UserSession viewer, UserSession owner)
    {
        for (int page = 0; page < 4; page++)
        {
            await using var fresh = await PresenceClient.ConnectAsync(viewer);
            var status = Assert.Single((await fresh.WaitForTypeAsync("all_statuses")).GetProperty("statuses").EnumerateArray(), s => s.GetProperty("username").GetString() == owner.UserName);
            Assert.False(status.GetProperty("isStreaming").GetBoolean(), $"page {page} shows the ended stream as live");
        }
    }

    private static bool About(JsonElement message, UserSession user) =>
        message.TryGetProperty("username", out var name) && name.GetString() == user.UserName;
}
