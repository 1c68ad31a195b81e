using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace AudioStream.BrowserTests;

/// <summary>The stream-keys section of one's own profile: create (the secret shown once, copyable), list, revoke.</summary>
[Collection(BrowserCollection.Name)]
public sealed class StreamKeysPageTests(AppHostFixture app, BrowserFixture chromium)
{
    private readonly WebApp _web = new(app, chromium);

    [Fact]
    public async Task A_user_creates_a_key_copies_it_once_sees_it_listed_and_revokes_it()
    {
        using var me = await new UserSession(app).RegisterAsync();
        using var friend = await new UserSession(app).RegisterAsync();
        await me.BefriendAsync(friend);
        await using var context = await _web.NewContextAsync();
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = _web.BaseAddress.GetLeftPart(UriPartial.Authority) });
        var (page, errors) = await WebApp.NewPageAsync(context);
        await WebApp.SignInAsync(page, me.UserName);
        await page.GotoAsync($"/user/{me.UserName}");

        var section = page.Locator("section#stream-keys");
        await Expect(section.GetByRole(AriaRole.Heading, new() { Name = "Stream keys" })).ToBeVisibleAsync();
        await Expect(page.Locator("#whip-server-url")).ToHaveValueAsync($"{_web.BaseAddress.GetLeftPart(UriPartial.Authority)}/api/media/whip");
        await Expect(page.Locator("#key-list li")).ToHaveCountAsync(0);

        // A name of spaces is the server's to refuse: its message shows beside the form, nothing is created.
        await section.GetByLabel("Name").FillAsync("   ");
        await section.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        await Expect(page.Locator("#key-error")).ToBeVisibleAsync();
        await Expect(page.Locator("#key-list li")).ToHaveCountAsync(0);

        await section.GetByLabel("Name").FillAsync("OBS at home");
        await section.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        var shown = page.Locator("#new-key");
        await Expect(shown).ToHaveValueAsync(new Regex("^ask_"));
        var key = await shown.InputValueAsync();
        await Expect(page.Locator("#key-list li")).ToHaveCountAsync(1);
        await Expect(page.Locator("#key-list li")).ToContainTextAsync("OBS at home");
        await Expect(page.Locator("#key-list li")).ToContainTextAsync("never used");

        // Copy puts the key itself on the clipboard.
        await page.Locator("#new-key ~ button", new() { HasText = "Copy" }).ClickAsync();
        Assert.Equal(key, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        await WebApp.ScreenshotAsync(page, "stream-keys.png");

        // The key is what a WHIP client uses: it authenticates (the offer is then judged: 400 for a broken one).
        using var whip = new HttpClient { BaseAddress = _web.BaseAddress };
        Assert.Equal(HttpStatusCode.BadRequest, await PostBrokenOfferAsync(whip, key));

        // Shown once: after a reload only the name is listed; a friend's view of the profile has no keys at all.
        await page.ReloadAsync();
        await Expect(page.Locator("#key-list li")).ToContainTextAsync("OBS at home");
        await Expect(shown).ToHaveCountAsync(0);
        Assert.DoesNotContain(key, await page.ContentAsync(), StringComparison.Ordinal);
        await using (var friendContext = await _web.NewContextAsync())
        {
            var (friendPage, friendErrors) = await WebApp.NewPageAsync(friendContext);
            await WebApp.SignInAsync(friendPage, friend.UserName);
            await friendPage.GotoAsync($"/user/{me.UserName}");
            await Expect(friendPage.Locator("#profile-state")).ToBeVisibleAsync();
            await Expect(friendPage.Locator("section#stream-keys")).ToBeHiddenAsync();
            Assert.Empty(friendErrors);
        }

        // Revoke: gone from the list, and the key no longer opens WHIP.
        await page.Locator("#key-list li", new() { HasText = "OBS at home" }).GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Expect(page.Locator("#key-list li")).ToHaveCountAsync(0);
        Assert.Equal(HttpStatusCode.Unauthorized, await PostBrokenOfferAsync(whip, key));
        Assert.Empty(errors);
    }

    private static async Task<HttpStatusCode> PostBrokenOfferAsync(HttpClient client, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/media/whip")
        {
            Content = new StringContent("v=0\r\nnot an offer\r\n", Encoding.UTF8),
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", key) },
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/sdp");
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
