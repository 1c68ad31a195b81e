using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace AudioStream.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class ProfilePageTests(AppHostFixture app, BrowserFixture chromium)
{
    private readonly WebApp _web = new(app, chromium);

    [Fact]
    public async Task A_profile_says_who_it_is_offers_going_live_and_lists_its_recordings()
    {
        using var me = await new UserSession(app).RegisterAsync();
        using var stranger = await new UserSession(app).RegisterAsync();
        await using var context = await _web.NewContextAsync();
        var (page, errors) = await WebApp.NewPageAsync(context);

        // Visiting a profile signed out comes back to it after signing in.
        await page.GotoAsync($"/user/{me.UserName}");
        await Expect(page).ToHaveURLAsync(WebApp.LoginPage());
        await WebApp.SignInAsync(page, me.UserName, openLoginPage: false);
        await Expect(page).ToHaveURLAsync(new Regex($"/user/{Regex.Escape(me.UserName)}$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(me.UserName);
        await Expect(page.Locator("#profile-state")).ToHaveTextAsync("This is you");
        await Expect(page.Locator("section#live").GetByRole(AriaRole.Button, new() { Name = "Go live" })).ToBeVisibleAsync();
        await Expect(page.Locator("section#recordings")).ToContainTextAsync("No recordings yet");

        // Someone who is not a friend yet can be asked from their profile.
        await page.GotoAsync($"/user/{stranger.UserName}");
        await Expect(page.Locator("#profile-state")).ToHaveTextAsync("Not your friend yet");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add friend" }).ClickAsync();
        await Expect(page.Locator("#profile-actions button")).ToHaveTextAsync("Pending");
        await Expect(page.Locator("#profile-actions button")).ToBeDisabledAsync();
        await WebApp.ScreenshotAsync(page, "profile-stranger.png");

        await page.GotoAsync("/user/nobody-by-this-name");
        await Expect(page.Locator("#profile-note")).ToHaveTextAsync(new Regex("no AudioStream user called"));
        await Expect(page.Locator("section#live")).ToBeHiddenAsync();
        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_main_page_fits_a_360_pixel_wide_phone()
    {
        using var me = await new UserSession(app).RegisterAsync();
        using var friend = await new UserSession(app).RegisterAsync();
        await me.BefriendAsync(friend);
        await using var context = await _web.NewContextAsync(width: 360, height: 740);
        var (page, errors) = await WebApp.NewPageAsync(context);

        await WebApp.OpenMainPageAsync(page, me.UserName);
        await Expect(WebApp.Friend(page, friend.UserName)).ToBeVisibleAsync();
        await page.GetByLabel("Search by username").FillAsync(friend.UserName);
        await Expect(WebApp.SearchResult(page, friend.UserName).GetByRole(AriaRole.Button)).ToHaveTextAsync("Friends");

        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"The page is {overflow} px wider than a 360 px screen.");
        await WebApp.ScreenshotAsync(page, "main-360px.png");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_live_card_fits_a_360_pixel_phone_and_works_from_the_keyboard()
    {
        using var me = await new UserSession(app).RegisterAsync();
        await using var context = await _web.NewContextAsync(width: 360, height: 740);
        var (page, errors) = await WebApp.NewPageAsync(context);
        await WebApp.SignInAsync(page, me.UserName);
        await page.GotoAsync($"/user/{me.UserName}");

        // The noise removal control is a switch with its name, drawn small (not a full-width text-field box).
        var noise = page.GetByRole(AriaRole.Switch, new() { Name = "Remove background noise" });
        await Expect(noise).ToBeCheckedAsync();
        var box = await noise.BoundingBoxAsync();
        Assert.True(box is { Width: < 64, Height: < 40 }, $"the switch is {box?.Width} x {box?.Height} px");
        // Keyboard: Tab from the title reaches the switch, Space flips it, Tab reaches the primary Go live button.
        await page.GetByLabel("Title").FocusAsync();
        await page.Keyboard.PressAsync("Tab");
        await Expect(noise).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Space");
        await Expect(noise).Not.ToBeCheckedAsync();
        await page.Keyboard.PressAsync("Tab");
        var go = page.Locator("section#live").GetByRole(AriaRole.Button, new() { Name = "Go live", Exact = true });
        await Expect(go).ToBeFocusedAsync();
        await Expect(go).ToHaveClassAsync(new Regex(@"\bbutton-primary\b"));

        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"The page is {overflow} px wider than a 360 px screen.");
        await WebApp.ScreenshotAsync(page, "live-card-360px.png");
        await page.SetViewportSizeAsync(1280, 800);
        await WebApp.ScreenshotAsync(page, "live-card-desktop.png");
        Assert.Empty(errors);
    }
}
