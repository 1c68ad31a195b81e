using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace AudioStream.BrowserTests;

/// <summary>The AudioStream pages as a person uses them: one browser context per person, helpers for the common steps.</summary>
public sealed partial class WebApp(AppHostFixture app, BrowserFixture chromium)
{
    public const string Password = "correct horse battery";

    /// <summary>The gateway on 127.0.0.1 (never "localhost", which may resolve to ::1 first).</summary>
    public Uri BaseAddress { get; } = new UriBuilder(app.App.GetEndpoint("gateway", "http")) { Host = "127.0.0.1" }.Uri;

    public static string ScreenshotFolder { get; } = Path.Combine(Path.GetTempPath(), "audiostream-browser-tests");

    public Task<IBrowserContext> NewContextAsync(int width = 1280, int height = 800) =>
        chromium.Browser.NewContextAsync(new()
        {
            BaseURL = BaseAddress.ToString(),
            ViewportSize = new() { Width = width, Height = height },
            Locale = "en-GB",
        });

    /// <summary>A page that records uncaught script errors, so a test can insist the page ran cleanly.</summary>
    public static async Task<(IPage Page, List<string> Errors)> NewPageAsync(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        return (page, errors);
    }

    public static async Task RegisterAsync(IPage page, string userName)
    {
        await page.GotoAsync("/register");
        await page.GetByLabel("Username").FillAsync(userName);
        await page.GetByLabel("Email").FillAsync($"{userName}@example.com");
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(MainPage());
        await Expect(page.Locator("#me-name")).ToHaveTextAsync(userName);
    }

    /// <summary>Signs in on the login page the browser is on (or opens it) and waits to leave it.</summary>
    public static async Task SignInAsync(IPage page, string userName, string password = Password, bool openLoginPage = true)
    {
        if (openLoginPage)
        {
            await page.GotoAsync("/login");
        }
        await page.GetByLabel("Username").FillAsync(userName);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page).Not.ToHaveURLAsync(LoginPage());
    }

    /// <summary>Signs in and waits until the main page's presence socket is connected.</summary>
    public static async Task OpenMainPageAsync(IPage page, string userName)
    {
        await SignInAsync(page, userName);
        await Expect(page).ToHaveURLAsync(MainPage());
        await Expect(page.Locator("#me-name")).ToHaveTextAsync(userName);
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "open");
    }

    public static ILocator Friend(IPage page, string userName) => page.Locator($"#friends-list li[data-username='{userName}']");

    public static ILocator Incoming(IPage page, string userName) => page.Locator($"#incoming-list li[data-username='{userName}']");

    public static ILocator Outgoing(IPage page, string userName) => page.Locator($"#outgoing-list li[data-username='{userName}']");

    public static ILocator SearchResult(IPage page, string userName) => page.Locator($"#search-results li[data-username='{userName}']");

    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        var path = Path.Combine(ScreenshotFolder, name);
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        return path;
    }

    [GeneratedRegex(@"^http://[^/]+/$")]
    public static partial Regex MainPage();

    [GeneratedRegex(@"^http://[^/]+/login(\?|$)")]
    public static partial Regex LoginPage();
}
