using static Microsoft.Playwright.Assertions;

namespace AudioStream.BrowserTests;

/// <summary>
/// The "friend is live" notification, with the real services (the friend goes live through the media API, the
/// presence socket carries it) and Chromium's own Notification, observed through a recording subclass.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LiveNoticeTests(AppHostFixture app, BrowserFixture chromium)
{
    /// <summary>Keeps what each page shows, then lets the browser show it as usual.</summary>
    private const string RecordNotifications = """
        (() => {
          const Native = window.Notification;
          if (!Native) return;
          window.shown = [];
          window.Notification = class extends Native {
            constructor(title, options) {
              super(title, options);
              window.shown.push({ title, body: options?.body ?? '' });
              window.lastNotice = this;
            }
          };
        })();
        """;

    private readonly WebApp _web = new(app, chromium);

    [Fact]
    public async Task A_friend_going_live_while_the_tab_is_in_the_background_raises_a_notice_that_opens_their_page()
    {
        using var me = await new UserSession(app).RegisterAsync();
        using var friend = await new UserSession(app).RegisterAsync();
        await me.BefriendAsync(friend);
        await using var context = await _web.NewContextAsync();
        await context.AddInitScriptAsync(RecordNotifications);
        var (background, errors) = await WebApp.NewPageAsync(context);
        await WebApp.SignInAsync(background, me.UserName);

        // Nothing is asked on page load: the offer waits for a click.
        var offer = background.Locator("#notify-live");
        await Expect(offer).ToBeVisibleAsync();
        Assert.Equal("default", await background.EvaluateAsync<string>("() => Notification.permission"));
        await WebApp.ScreenshotAsync(background, "notify-offer.png");
        await context.GrantPermissionsAsync(["notifications"]);
        await offer.ClickAsync();
        await Expect(offer).ToBeHiddenAsync();

        // Another tab of the site takes the focus; the first one is now in the background.
        var (foreground, _) = await WebApp.NewPageAsync(context);
        await foreground.GotoAsync("/");
        await Expect(foreground.Locator("#connection")).ToHaveAttributeAsync("data-state", "open");
        await foreground.BringToFrontAsync();
        // Playwright tells every page it has the focus; let the first one see the browser's real focus instead.
        var devTools = await context.NewCDPSessionAsync(background);
        await devTools.SendAsync("Emulation.setFocusEmulationEnabled", new Dictionary<string, object> { ["enabled"] = false });
        await background.WaitForFunctionAsync("() => !document.hasFocus()", null, new() { Timeout = 5_000 });

        using (var started = await friend.PostAsync("/api/media/streams", new { denoise = false }))
        {
            Assert.Equal(System.Net.HttpStatusCode.Created, started.StatusCode);
        }
        try
        {
            await background.WaitForFunctionAsync("() => window.shown.length > 0", null, new() { Timeout = 10_000 });
            var notice = await background.EvaluateAsync<System.Text.Json.JsonElement>("() => window.shown[0]");
            Assert.Equal($"{friend.UserName} is live", notice.GetProperty("title").GetString());
            // The tab in front shows the live badge instead of a notice.
            await Expect(WebApp.Friend(foreground, friend.UserName).Locator(".badge-live")).ToBeVisibleAsync();
            Assert.Equal(0, await foreground.EvaluateAsync<int>("() => window.shown.length"));

            // Clicking the notice opens the friend's page.
            await background.EvaluateAsync("() => window.lastNotice.dispatchEvent(new Event('click'))");
            await Expect(background).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/user/{friend.UserName}$"));
        }
        finally
        {
            (await friend.DeleteAsync("/api/media/streams/current")).Dispose();
        }
        Assert.Empty(errors);
    }
}
