using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;

namespace AudioStream.IntegrationTests;

/// <summary>
/// Issue #12, items 4, 5, 8 and 11 through the real gateway: rate limits per client address, lockout counted before
/// hashing and per name and address, same-origin unsafe requests, public health without details. Each test speaks
/// from addresses of its own (127.0.0.x on the loopback interface), so the limits it reaches touch no other test.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class AbuseLimitTests(AppHostFixture fixture)
{
    private const int LockoutAttempts = 5;

    [Fact]
    public async Task Login_flood_from_one_address_gets_429_while_another_address_signs_in()
    {
        using var owner = new UserSession(fixture, IPAddress.Parse("127.0.0.21"));
        await owner.RegisterAsync();
        using var flooder = new UserSession(fixture, IPAddress.Parse("127.0.0.20"));

        var flood = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ =>
            flooder.PostAsync("/api/identity/login", new { username = UserSession.UniqueName("flood"), password = "random guess" })));
        try
        {
            var limited = flood.Where(response => response.StatusCode == HttpStatusCode.TooManyRequests).ToList();
            Assert.True(limited.Count >= 30, $"only {limited.Count} of 60 were limited: {string.Join(' ', flood.Select(r => (int)r.StatusCode))}");
            Assert.All(flood, response => Assert.Contains(response.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests }));
            var first = limited[0];
            Assert.True(first.Headers.RetryAfter?.Delta > TimeSpan.Zero, "no Retry-After");
            Assert.Equal("application/problem+json", first.Content.Headers.ContentType?.MediaType);
            var problem = await first.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("login", problem.GetProperty("limit").GetString());
            Assert.Contains("sign-in attempts", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            foreach (var response in flood)
            {
                response.Dispose();
            }
        }

        using var signIn = await owner.PostAsync("/api/identity/login", new { username = owner.UserName, password = owner.Password });
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
    }

    [Fact]
    public async Task Parallel_wrong_guesses_each_count_and_lock_only_the_guessing_address()
    {
        using var owner = new UserSession(fixture, IPAddress.Parse("127.0.0.31"));
        await owner.RegisterAsync();
        using var attacker = new UserSession(fixture, IPAddress.Parse("127.0.0.30"), owner.UserName);

        var guesses = await Task.WhenAll(Enumerable.Range(0, 12).Select(attempt =>
            UserSession.StatusOfAsync(attacker.PostAsync("/api/identity/login", new { username = owner.UserName, password = $"guess number {attempt}" }))));

        Assert.True(guesses.Count(status => status == HttpStatusCode.Unauthorized) <= LockoutAttempts,
            $"more than {LockoutAttempts} guesses were checked: {string.Join(' ', guesses.Select(s => (int)s))}");
        Assert.All(guesses, status => Assert.Contains(status, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests }));
        using var locked = await attacker.PostAsync("/api/identity/login", new { username = owner.UserName, password = owner.Password });
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.Equal("login-lockout", (await locked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("limit").GetString());

        using var signIn = await owner.PostAsync("/api/identity/login", new { username = owner.UserName, password = owner.Password });
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
    }

    [Fact]
    public async Task Guesses_from_many_addresses_slow_new_addresses_but_never_the_owners()
    {
        using var owner = new UserSession(fixture, IPAddress.Parse("127.0.0.40"));
        await owner.RegisterAsync();
        // 25 guesses from five addresses: past the per-name ceiling of 20, unknown addresses are paced.
        for (var host = 41; host <= 45; host++)
        {
            using var attacker = new UserSession(fixture, IPAddress.Parse($"127.0.0.{host}"), owner.UserName);
            for (var attempt = 0; attempt < LockoutAttempts; attempt++)
            {
                using var _ = await attacker.PostAsync("/api/identity/login", new { username = owner.UserName, password = $"guess {host}.{attempt}" });
            }
        }

        using var newcomer = new UserSession(fixture, IPAddress.Parse("127.0.0.46"), owner.UserName);
        using var paced = await newcomer.PostAsync("/api/identity/login", new { username = owner.UserName, password = "one more guess" });
        Assert.Equal(HttpStatusCode.TooManyRequests, paced.StatusCode);
        Assert.True(paced.Headers.RetryAfter?.Delta > TimeSpan.Zero, "no Retry-After");
        Assert.Equal("login-pace", (await paced.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("limit").GetString());

        using var signIn = await owner.PostAsync("/api/identity/login", new { username = owner.UserName, password = owner.Password });
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
    }

    [Fact]
    public async Task A_flood_from_many_addresses_fills_the_hashing_queue_but_the_owner_signs_in_from_a_known_address()
    {
        using var owner = new UserSession(fixture, IPAddress.Parse("127.0.0.50"));
        await owner.RegisterAsync();
        // 128 senders that never stop, spread over 200 addresses (each within its own per-address allowance of 20):
        // together they keep every hashing slot and the whole queue full for as long as the owner tries.
        var flooders = Enumerable.Range(0, 200).Select(i => new UserSession(fixture, IPAddress.Parse($"127.0.{10 + i / 100}.{1 + i % 100}"))).ToList();
        using var stop = new CancellationTokenSource();
        var refusedForHashing = 0;
        var flood = Enumerable.Range(0, 128).Select(worker => Task.Run(async () =>
        {
            for (var n = worker; !stop.IsCancellationRequested; n += 128)
            {
                var status = await UserSession.StatusOfAsync(flooders[n % flooders.Count].PostAsync("/api/identity/login",
                    new { username = UserSession.UniqueName("flood"), password = "random guess" }));
                if (status == HttpStatusCode.ServiceUnavailable)
                {
                    Interlocked.Increment(ref refusedForHashing);
                }
            }
        })).ToList();
        try
        {
            await Task.Delay(1000);
            var owners = new List<HttpStatusCode>();
            for (var attempt = 0; attempt < 3; attempt++)
            {
                owners.Add(await UserSession.StatusOfAsync(owner.PostAsync("/api/identity/login", new { username = owner.UserName, password = owner.Password })));
            }

            Assert.True(Volatile.Read(ref refusedForHashing) > 0, "the flood never filled the hashing queue");
            Assert.All(owners, status => Assert.Equal(HttpStatusCode.OK, status));
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(flood);
            flooders.ForEach(flooder => flooder.Dispose());
        }
    }

    [Fact]
    public async Task Cross_origin_post_with_the_session_cookie_is_refused_and_same_origin_accepted()
    {
        using var user = new UserSession(fixture);
        await user.RegisterAsync();

        using var forged = new HttpRequestMessage(HttpMethod.Post, "/api/identity/logout");
        forged.Headers.Add("Origin", "https://evil.example");
        using var refused = await user.SendAsync(forged);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, await UserSession.StatusOfAsync(user.GetAsync("/api/identity/me")));

        using var crossSite = new HttpRequestMessage(HttpMethod.Post, "/api/identity/logout");
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
        using var crossSiteRefused = await user.SendAsync(crossSite);
        Assert.Equal(HttpStatusCode.Forbidden, crossSiteRefused.StatusCode);

        using var sameOrigin = new HttpRequestMessage(HttpMethod.Post, "/api/identity/logout");
        sameOrigin.Headers.Add("Origin", user.BaseAddress.GetLeftPart(UriPartial.Authority));
        sameOrigin.Headers.Add("Sec-Fetch-Site", "same-origin");
        using var accepted = await user.SendAsync(sameOrigin);
        Assert.Equal(HttpStatusCode.NoContent, accepted.StatusCode);
    }

    [Fact]
    public async Task Cross_origin_websocket_with_the_session_cookie_is_refused_and_same_origin_connects()
    {
        using var user = new UserSession(fixture);
        await user.RegisterAsync();
        var uri = new UriBuilder(user.BaseAddress) { Scheme = "ws", Path = "/ws/presence/" }.Uri;

        using var forged = new ClientWebSocket();
        forged.Options.Cookies = user.Cookies;
        forged.Options.CollectHttpResponseDetails = true;
        forged.Options.SetRequestHeader("Origin", "https://evil.example");
        await Assert.ThrowsAsync<WebSocketException>(() => forged.ConnectAsync(uri, CancellationToken.None));
        Assert.Equal(HttpStatusCode.Forbidden, forged.HttpStatusCode);

        using var own = new ClientWebSocket();
        own.Options.Cookies = user.Cookies;
        own.Options.SetRequestHeader("Origin", user.BaseAddress.GetLeftPart(UriPartial.Authority));
        await own.ConnectAsync(uri, CancellationToken.None);
        Assert.Equal(WebSocketState.Open, own.State);
        await own.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
    }

    [Theory]
    [InlineData("/api/identity/health")]
    [InlineData("/api/media/health")]
    [InlineData("/api/recordings/health")]
    [InlineData("/health")]
    public async Task Public_health_answers_the_status_and_nothing_else(string path)
    {
        using var client = fixture.CreateGatewayClient();
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(["status"], body.EnumerateObject().Select(property => property.Name));
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
    }
}
