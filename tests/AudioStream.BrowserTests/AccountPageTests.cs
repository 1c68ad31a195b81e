using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace AudioStream.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class AccountPageTests(AppHostFixture app, BrowserFixture chromium)
{
    private readonly WebApp _web = new(app, chromium);

    [Fact]
    public async Task Signing_in_with_a_wrong_password_shows_the_servers_message()
    {
        using var user = await new UserSession(app).RegisterAsync();
        await using var context = await _web.NewContextAsync();
        var (page, errors) = await WebApp.NewPageAsync(context);

        await page.GotoAsync("/login");
        await page.GetByLabel("Username").FillAsync(user.UserName);
        await page.GetByLabel("Password").FillAsync("not the password");
        var submit = page.GetByRole(AriaRole.Button, new() { Name = "Sign in" });
        await submit.ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Wrong username or password.");
        await Expect(submit).ToBeEnabledAsync();
        await Expect(page).ToHaveURLAsync(WebApp.LoginPage());

        // The right password then works from the same form.
        await page.GetByLabel("Password").FillAsync(WebApp.Password);
        await submit.ClickAsync();
        await Expect(page).ToHaveURLAsync(WebApp.MainPage());
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Repeated_wrong_passwords_show_the_lockout_message()
    {
        using var user = await new UserSession(app).RegisterAsync();
        await using var context = await _web.NewContextAsync();
        var (page, errors) = await WebApp.NewPageAsync(context);
        await page.GotoAsync("/login");
        await page.GetByLabel("Username").FillAsync(user.UserName);
        var submit = page.GetByRole(AriaRole.Button, new() { Name = "Sign in" });
        var alert = page.GetByRole(AriaRole.Alert);

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            await page.GetByLabel("Password").FillAsync($"wrong password {attempt}");
            await submit.ClickAsync();
            await Expect(alert).ToHaveTextAsync("Wrong username or password.");
            // The next try waits for this one: the button comes back only when the answer is in.
            await Expect(submit).ToBeEnabledAsync();
        }
        await page.GetByLabel("Password").FillAsync(WebApp.Password);
        await submit.ClickAsync();
        await Expect(alert).ToHaveTextAsync(new Regex("^Too many failed sign-in attempts"));
        await Expect(page).ToHaveURLAsync(WebApp.LoginPage());
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Registering_with_invalid_details_shows_each_fields_error_beside_it()
    {
        using var taken = await new UserSession(app).RegisterAsync();
        await using var context = await _web.NewContextAsync();
        var (page, errors) = await WebApp.NewPageAsync(context);
        await page.GotoAsync("/register");

        await page.GetByLabel("Username").FillAsync("a!");
        await page.GetByLabel("Email").FillAsync("not-an-email");
        await page.GetByLabel("Password").FillAsync("short");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();

        await Expect(page.Locator("#username-error")).ToHaveTextAsync(new Regex("3 to 32"));
        await Expect(page.Locator("#email-error")).ToHaveTextAsync(new Regex("valid email"));
        await Expect(page.Locator("#password-error")).ToHaveTextAsync(new Regex("at least 8"));
        await Expect(page.Locator("#username-hint")).ToBeHiddenAsync();
        await Expect(page.GetByLabel("Email")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("The account details are not valid.");
        await WebApp.ScreenshotAsync(page, "register-field-errors.png");

        // A taken name is the server's general message; the field messages from before are gone.
        await page.GetByLabel("Username").FillAsync(taken.UserName);
        await page.GetByLabel("Email").FillAsync("someone@example.com");
        await page.GetByLabel("Password").FillAsync(WebApp.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("That username is taken.");
        await Expect(page.Locator("#email-error")).ToBeHiddenAsync();
        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_main_page_sends_visitors_to_sign_in_and_back_afterwards()
    {
        using var user = await new UserSession(app).RegisterAsync();
        await using var context = await _web.NewContextAsync();
        var (page, errors) = await WebApp.NewPageAsync(context);

        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new Regex(@"/login\?returnUrl=%2F$"));
        await WebApp.SignInAsync(page, user.UserName, openLoginPage: false);
        await Expect(page).ToHaveURLAsync(WebApp.MainPage());
        await Expect(page.Locator("#me-name")).ToHaveTextAsync(user.UserName);

        // Logging out ends the session: the main page sends the visitor away again.
        await page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(WebApp.LoginPage());
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(WebApp.LoginPage());

        // A return address on another origin is ignored.
        await page.GotoAsync("/login?returnUrl=" + Uri.EscapeDataString("//evil.example/steal"));
        await WebApp.SignInAsync(page, user.UserName, openLoginPage: false);
        await Expect(page).ToHaveURLAsync(WebApp.MainPage());
        Assert.Empty(errors);
    }
}
