using System.Text.Json;
using System.Threading.Channels;
using static Microsoft.Playwright.Assertions;

namespace AudioStream.BrowserTests;

/// <summary>
/// These tests play the presence server's part (Playwright routes the page's WebSocket) so they can dictate listener
/// counts and a server restart, while the pages and every API stay real: they pin how the page draws what the socket
/// says. Real streams drive the live controls in AudioStream.MediaTests (LiveAudioEndToEndTests).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LiveBadgeTests(AppHostFixture app, BrowserFixture chromium)
{
    private readonly WebApp _web = new(app, chromium);

    [Fact]
    public async Task A_live_friend_shows_a_live_badge_with_listeners_and_the_page_reconnects()
    {
        using var me = await new UserSession(app).RegisterAsync();
        using var friend = await new UserSession(app).RegisterAsync();
        await me.BefriendAsync(friend);
        await using var context = await _web.NewContextAsync();
        var sockets = Channel.CreateUnbounded<IWebSocketRoute>();
        var fromPage = new List<string>();
        await context.RouteWebSocketAsync("**/ws/presence/", socket =>
        {
            socket.OnMessage(frame => { lock (fromPage) { fromPage.Add(frame.Text ?? ""); } });
            sockets.Writer.TryWrite(socket);
        });
        var (page, errors) = await WebApp.NewPageAsync(context);
        await WebApp.SignInAsync(page, me.UserName);

        var socket = await NextSocketAsync(sockets);
        socket.Send(AllStatuses(friend.UserName, online: true, isStreaming: true, listeners: 2));
        var row = WebApp.Friend(page, friend.UserName);
        await Expect(row.Locator(".badge-live")).ToHaveTextAsync("LIVE · 2 listeners");
        await Expect(row).ToHaveAttributeAsync("data-streaming", "true");
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "open");

        socket.Send(Json(new { type = "listeners_update", username = friend.UserName, listeners = 1 }));
        await Expect(row.Locator(".badge-live")).ToHaveTextAsync("LIVE · 1 listener");
        await WebApp.ScreenshotAsync(page, "main-friend-live.png");

        socket.Send(Json(new { type = "streaming_status_update", username = friend.UserName, isStreaming = false }));
        await Expect(row.Locator(".badge-live")).ToHaveCountAsync(0);
        await Expect(row.Locator(".friend-status")).ToHaveTextAsync("Online");
        await Expect(page.Locator("#announcer")).ToContainTextAsync($"{friend.UserName} stopped streaming.");

        // The server goes away: the page says so, comes back by itself and takes the fresh statuses.
        await socket.CloseAsync(new() { Code = 1011, Reason = "restarting" });
        var again = await NextSocketAsync(sockets);
        again.Send(AllStatuses(friend.UserName, online: false, isStreaming: false, listeners: 0));
        await Expect(row.Locator(".friend-status")).ToHaveTextAsync("Offline");
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "open");

        // The profile page reads the same socket.
        await page.GotoAsync($"/user/{friend.UserName}");
        var profileSocket = await NextSocketAsync(sockets);
        profileSocket.Send(AllStatuses(friend.UserName, online: true, isStreaming: true, listeners: 4));
        await Expect(page.Locator("#profile-state .friend-status")).ToHaveTextAsync("Online");
        await Expect(page.Locator("#profile-state .badge-live")).ToHaveTextAsync("LIVE · 4 listeners");

        lock (fromPage)
        {
            Assert.All(fromPage, text => Assert.Equal("ping", JsonDocument.Parse(text).RootElement.GetProperty("type").GetString()));
        }
        Assert.Empty(errors);
    }

    private static async Task<IWebSocketRoute> NextSocketAsync(Channel<IWebSocketRoute> sockets)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await sockets.Reader.ReadAsync(timeout.Token);
    }

    private static string AllStatuses(string username, bool online, bool isStreaming, int listeners) =>
        Json(new { type = "all_statuses", statuses = new[] { new { username, online, isStreaming, listeners } } });

    private static string Json(object message) => JsonSerializer.Serialize(message);
}
