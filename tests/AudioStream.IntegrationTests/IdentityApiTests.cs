using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace AudioStream.IntegrationTests;

[Collection(AppHostCollection.Name)]
public sealed class IdentityApiTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Register_creates_the_account_and_signs_in()
    {
        using var user = new UserSession(fixture);
        using var response = await user.PostAsync("/api/identity/register",
            new { username = user.UserName, email = $"{user.UserName}@example.com", password = user.Password });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(user.UserName, body.GetProperty("username").GetString());
        Assert.True(Guid.TryParse(body.GetProperty("id").GetString(), out _));
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("audiostream_session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);

        var me = await user.GetJsonAsync("/api/identity/me");
        Assert.Equal(user.UserName, me.GetProperty("username").GetString());
        Assert.Equal($"{user.UserName}@example.com", me.GetProperty("email").GetString());
        Assert.True(me.TryGetProperty("createdAt", out _));
    }

    [Theory]
    [InlineData("ab", "a@example.com", "long enough", "username")]
    [InlineData("has space", "a@example.com", "long enough", "username")]
    [InlineData("this_name_is_far_too_long_for_us_x", "a@example.com", "long enough", "username")]
    [InlineData("valid_name", "not-an-email", "long enough", "email")]
    [InlineData("valid_name", "a@example.com", "short", "password")]
    public async Task Register_rejects_invalid_details_with_field_errors(string username, string email, string password, string field)
    {
        using var user = new UserSession(fixture);
        using var response = await user.PostAsync("/api/identity/register", new { username, email, password });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task Usernames_are_unique_regardless_of_case()
    {
        using var first = new UserSession(fixture);
        await first.RegisterAsync();
        using var second = new UserSession(fixture, first.UserName.ToUpperInvariant());
        using var response = await second.PostAsync("/api/identity/register",
            new { username = second.UserName, email = "other@example.com", password = "another password" });
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Malformed_and_oversized_bodies_get_problem_details()
    {
        using var user = new UserSession(fixture);
        using var malformed = new HttpRequestMessage(HttpMethod.Post, "/api/identity/register")
        {
            Content = new StringContent("{\"username\": ", Encoding.UTF8, "application/json"),
        };
        using var malformedResponse = await user.SendAsync(malformed);
        Assert.Equal(HttpStatusCode.BadRequest, malformedResponse.StatusCode);
        Assert.Equal("application/problem+json", malformedResponse.Content.Headers.ContentType?.MediaType);

        using var oversized = new HttpRequestMessage(HttpMethod.Post, "/api/identity/login")
        {
            Content = new StringContent($"{{\"username\":\"{new string('a', 200_000)}\"}}", Encoding.UTF8, "application/json"),
        };
        using var oversizedResponse = await user.SendAsync(oversized);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, oversizedResponse.StatusCode);
    }

    [Fact]
    public async Task Login_answers_401_for_a_wrong_password_and_200_with_a_cookie_for_the_right_one()
    {
        using var registered = new UserSession(fixture);
        await registered.RegisterAsync();

        using var user = new UserSession(fixture, registered.UserName);
        Assert.Equal(HttpStatusCode.Unauthorized,
            await UserSession.StatusOfAsync(user.PostAsync("/api/identity/login", new { username = user.UserName, password = "wrong password" })));
        Assert.Equal(HttpStatusCode.Unauthorized, await UserSession.StatusOfAsync(user.GetAsync("/api/identity/me")));

        using var response = await user.PostAsync("/api/identity/login", new { username = user.UserName.ToUpperInvariant(), password = user.Password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(user.UserName, (await user.GetJsonAsync("/api/identity/me")).GetProperty("username").GetString());
    }

    [Fact]
    public async Task Repeated_failed_logins_are_refused_with_429()
    {
        using var registered = new UserSession(fixture);
        await registered.RegisterAsync();
        using var attacker = new UserSession(fixture, registered.UserName);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized,
                await UserSession.StatusOfAsync(attacker.PostAsync("/api/identity/login", new { username = attacker.UserName, password = $"guess {attempt}" })));
        }

        using var locked = await attacker.PostAsync("/api/identity/login", new { username = attacker.UserName, password = attacker.Password });
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.NotNull(locked.Headers.RetryAfter);
    }

    [Fact]
    public async Task Logout_makes_the_session_unusable_on_every_service()
    {
        using var user = new UserSession(fixture);
        await user.RegisterAsync();
        var stolenCookie = user.Cookies.GetCookieHeader(user.BaseAddress);
        Assert.Equal(HttpStatusCode.OK, await UserSession.StatusOfAsync(user.GetAsync("/api/social/friends")));

        Assert.Equal(HttpStatusCode.NoContent, await UserSession.StatusOfAsync(user.PostAsync("/api/identity/logout")));

        // Replaying the old cookie after logout is refused by Identity and by Social alike.
        using var replay = new UserSession(fixture);
        replay.Cookies.SetCookies(replay.BaseAddress, stolenCookie);
        Assert.Equal(HttpStatusCode.Unauthorized, await UserSession.StatusOfAsync(replay.GetAsync("/api/identity/me")));
        Assert.Equal(HttpStatusCode.Unauthorized, await UserSession.StatusOfAsync(replay.GetAsync("/api/social/friends")));
    }

    [Theory]
    [InlineData("/api/identity/me")]
    [InlineData("/api/social/friends")]
    [InlineData("/api/social/requests")]
    public async Task Api_routes_without_a_cookie_or_with_a_forged_one_answer_401(string path)
    {
        using var anonymous = new UserSession(fixture);
        using var response = await anonymous.GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);

        using var forger = new UserSession(fixture);
        forger.Cookies.Add(forger.BaseAddress, new Cookie("audiostream_session", "CfDJ8forged-ticket-value"));
        Assert.Equal(HttpStatusCode.Unauthorized, await UserSession.StatusOfAsync(forger.GetAsync(path)));
    }
}
