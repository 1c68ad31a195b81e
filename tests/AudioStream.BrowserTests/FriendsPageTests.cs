using System.Text.RegularExpressions;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace AudioStream.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class FriendsPageTests(AppHostFixture app, BrowserFixture chromium, ITestOutputHelper output)
{
    private readonly WebApp _web = new(app, chromium);

    [Fact]
    public async Task Two_friends_see_each_other_come_online_and_go_offline()
    {
        var aliceName = UserSession.UniqueName("alice");
        var bobName = UserSession.UniqueName("bob");
        await using var aliceContext = await _web.NewContextAsync();
        await using var bobContext = await _web.NewContextAsync();
        var (alice, aliceErrors) = await WebApp.NewPageAsync(aliceContext);
        var (bob, bobErrors) = await WebApp.NewPageAsync(bobContext);

        await WebApp.RegisterAsync(alice, aliceName);
        await WebApp.RegisterAsync(bob, bobName);
        await Expect(bob.Locator("#connection")).ToHaveAttributeAsync("data-state", "open");
        await Expect(bob.Locator("#friends-empty")).ToBeVisibleAsync();

        // Alice finds Bob and asks him.
        await alice.GetByLabel("Search by username").FillAsync(bobName);
        var addBob = WebApp.SearchResult(alice, bobName).GetByRole(AriaRole.Button);
        await Expect(addBob).ToHaveTextAsync("Add friend");
        await addBob.ClickAsync();
        await Expect(addBob).ToHaveTextAsync("Pending");
        await Expect(addBob).ToBeDisabledAsync();
        await Expect(WebApp.Outgoing(alice, bobName)).ToBeVisibleAsync();

        // Bob's page shows the request without a reload, and he accepts.
        var request = WebApp.Incoming(bob, aliceName);
        await Expect(request).ToBeVisibleAsync();
        await request.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();

        // Both see each other as friends, online; the request is gone on both sides, Alice's search follows.
        var bobAtAlice = WebApp.Friend(alice, bobName);
        var aliceAtBob = WebApp.Friend(bob, aliceName);
        await Expect(bobAtAlice.Locator(".friend-status")).ToHaveTextAsync("Online");
        await Expect(aliceAtBob.Locator(".friend-status")).ToHaveTextAsync("Online");
        await Expect(bobAtAlice).ToHaveAttributeAsync("data-online", "true");
        await Expect(bobAtAlice.GetByRole(AriaRole.Link)).ToHaveAttributeAsync("href", $"/user/{bobName}");
        await Expect(alice.Locator("#outgoing-list li")).ToHaveCountAsync(0);
        await Expect(bob.Locator("#incoming-list li")).ToHaveCountAsync(0);
        await Expect(addBob).ToHaveTextAsync("Friends");
        await Expect(alice.Locator("#friends-summary")).ToHaveTextAsync("1 of 1 online");
        await Expect(alice.Locator("#announcer")).ToContainTextAsync($"You and {bobName} are now friends.");
        var online = await WebApp.ScreenshotAsync(alice, "main-friend-online.png");

        // Bob logs out; Alice sees him go offline within seconds.
        await bob.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();
        await Expect(bob).ToHaveURLAsync(WebApp.LoginPage());
        await Expect(bobAtAlice.Locator(".friend-status")).ToHaveTextAsync("Offline");
        await Expect(bobAtAlice).ToHaveAttributeAsync("data-online", "false");
        await Expect(alice.Locator("#announcer")).ToContainTextAsync($"{bobName} is offline.");

        // And back online when he signs in again.
        await WebApp.OpenMainPageAsync(bob, bobName);
        await Expect(bobAtAlice.Locator(".friend-status")).ToHaveTextAsync("Online");
        await bob.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();
        await Expect(bobAtAlice.Locator(".friend-status")).ToHaveTextAsync("Offline");

        var offline = await WebApp.ScreenshotAsync(alice, "main-friend-offline.png");
        output.WriteLine($"Screenshots: {online}, {offline}");
        Assert.Empty(aliceErrors);
        Assert.Empty(bobErrors);
    }

    [Fact]
    public async Task Requests_and_friendships_changed_elsewhere_show_without_a_reload()
    {
        using var alice = await new UserSession(app, UserSession.UniqueName("alice")).RegisterAsync();
        using var bob = await new UserSession(app, UserSession.UniqueName("bob")).RegisterAsync();
        await using var context = await _web.NewContextAsync();
        var (page, errors) = await WebApp.NewPageAsync(context);
        await WebApp.OpenMainPageAsync(page, bob.UserName);
        await page.GetByLabel("Search by username").FillAsync(alice.UserName);
        var addAlice = WebApp.SearchResult(page, alice.UserName).GetByRole(AriaRole.Button);
        await Expect(addAlice).ToHaveTextAsync("Add friend");

        // Alice asks and then withdraws: Bob's list and search follow both.
        var id = await SendRequestAsync(alice, bob);
        await Expect(WebApp.Incoming(page, alice.UserName)).ToBeVisibleAsync();
        await Expect(addAlice).ToHaveTextAsync("Pending");
        await Expect(page.Locator("#announcer")).ToContainTextAsync($"{alice.UserName} sent you a friend request.");
        using (var cancelled = await alice.DeleteAsync($"/api/social/requests/{id}"))
        {
            Assert.True(cancelled.IsSuccessStatusCode);
        }
        await Expect(WebApp.Incoming(page, alice.UserName)).ToHaveCountAsync(0);
        await Expect(page.Locator("#incoming-empty")).ToBeVisibleAsync();
        await Expect(addAlice).ToHaveTextAsync("Add friend");

        // Alice asks again; Bob rejects from the page.
        await SendRequestAsync(alice, bob);
        await WebApp.Incoming(page, alice.UserName).GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();
        await Expect(WebApp.Incoming(page, alice.UserName)).ToHaveCountAsync(0);
        Assert.Equal(0, (await alice.GetJsonAsync("/api/social/requests")).GetProperty("outgoing").GetArrayLength());

        // Bob asks Alice; she accepts elsewhere: the request leaves his Sent list and she joins his friends.
        await addAlice.ClickAsync();
        await Expect(WebApp.Outgoing(page, alice.UserName)).ToBeVisibleAsync();
        var bobsRequest = (await alice.GetJsonAsync("/api/social/requests")).GetProperty("incoming")[0].GetProperty("id").GetString();
        using (var accepted = await alice.PostAsync($"/api/social/requests/{bobsRequest}/accept"))
        {
            Assert.True(accepted.IsSuccessStatusCode);
        }
        await Expect(WebApp.Outgoing(page, alice.UserName)).ToHaveCountAsync(0);
        await Expect(WebApp.Friend(page, alice.UserName)).ToBeVisibleAsync();
        await Expect(addAlice).ToHaveTextAsync("Friends");

        // Removing takes two clicks, and the friendship ends on both sides.
        var remove = WebApp.Friend(page, alice.UserName).GetByRole(AriaRole.Button, new() { Name = "Remove" });
        await remove.ClickAsync();
        await Expect(remove).ToHaveTextAsync("Confirm remove");
        await remove.ClickAsync();
        await Expect(WebApp.Friend(page, alice.UserName)).ToHaveCountAsync(0);
        await Expect(page.Locator("#friends-empty")).ToBeVisibleAsync();
        Assert.Equal(0, (await alice.GetJsonAsync("/api/social/friends")).GetArrayLength());
        Assert.Empty(errors);
    }

    private static async Task<string> SendRequestAsync(UserSession from, UserSession to)
    {
        using var response = await from.PostAsync("/api/social/requests", new { username = to.UserName });
        Assert.True(response.IsSuccessStatusCode, $"request: {(int)response.StatusCode}");
        var body = await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<System.Text.Json.JsonElement>(response.Content);
        return body.GetProperty("id").GetString()!;
    }
}
