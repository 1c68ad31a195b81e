using System.Net;
using System.Text.Json;

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
        Assert.DoesNotContain(after, m => About(m, alice) && m.GetProperty("type").GetString() is "listeners_update"
            || (m.GetProperty("type").GetString() == "streaming_status_update" && m.GetProperty("isStreaming").GetBoolean()));

        // A page opened now (on either presence instance) starts from the same picture: not live.
        for (int page = 0; page < 4; page++)
        {
            await using var fresh = await PresenceClient.ConnectAsync(carol);
            var status = Assert.Single((await fresh.WaitForTypeAsync("all_statuses")).GetProperty("statuses").EnumerateArray(), s => s.GetProperty("username").GetString() == alice.UserName);
            Assert.False(status.GetProperty("isStreaming").GetBoolean(), $"page {page} shows the ended stream as live");
        }
    }

    private static bool About(JsonElement message, UserSession user) =>
        message.TryGetProperty("username", out var name) && name.GetString() == user.UserName;
}
