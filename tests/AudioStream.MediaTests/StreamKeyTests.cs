using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AudioStream.ServiceDefaults.Messaging;

namespace AudioStream.MediaTests;

/// <summary>Stream keys (/api/media/keys) and WHIP with a key as Bearer token, through the gateway.</summary>
[Collection(AppHostCollection.Name)]
public sealed class StreamKeyTests(AppHostFixture fixture)
{
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Keys_are_shown_once_listed_to_their_owner_only_and_revocable_by_them_alone()
    {
        using var alice = await new UserSession(fixture).RegisterAsync();
        using var bob = await new UserSession(fixture).RegisterAsync();

        var (id, key) = await alice.CreateStreamKeyAsync("OBS at home");
        Assert.StartsWith("ask_", key, StringComparison.Ordinal);
        Assert.NotEqual(key, (await alice.CreateStreamKeyAsync("whip-client")).Key);

        var listed = await alice.GetJsonAsync("/api/media/keys");
        Assert.Equal(["OBS at home", "whip-client"], listed.EnumerateArray().Select(k => k.GetProperty("name").GetString()));
        Assert.All(listed.EnumerateArray(), k => Assert.False(k.TryGetProperty("key", out _)));
        Assert.DoesNotContain(key, listed.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, listed[0].GetProperty("lastUsedAt").ValueKind);
        Assert.Equal(0, (await bob.GetJsonAsync("/api/media/keys")).GetArrayLength());

        Assert.Equal(HttpStatusCode.NotFound, await UserSession.StatusOfAsync(bob.DeleteAsync($"/api/media/keys/{id}")));
        Assert.Equal(HttpStatusCode.NoContent, await UserSession.StatusOfAsync(alice.DeleteAsync($"/api/media/keys/{id}")));
        Assert.Equal(HttpStatusCode.NotFound, await UserSession.StatusOfAsync(alice.DeleteAsync($"/api/media/keys/{id}")));
        Assert.Equal(["whip-client"], (await alice.GetJsonAsync("/api/media/keys")).EnumerateArray().Select(k => k.GetProperty("name").GetString()));

        using var anonymous = fixture.CreateGatewayClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/api/media/keys", UriKind.Relative))).StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData("kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk")]
    public async Task A_key_needs_a_name_of_at_most_64_characters(string? name)
    {
        using var alice = await new UserSession(fixture).RegisterAsync();
        using var response = await alice.PostAsync("/api/media/keys", new { name });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("name", out _));
        Assert.Equal(0, (await alice.GetJsonAsync("/api/media/keys")).GetArrayLength());
    }

    [Fact]
    public async Task An_eleventh_key_is_refused_with_the_limit()
    {
        using var alice = await new UserSession(fixture).RegisterAsync();
        for (var i = 0; i < 10; i++)
        {
            await alice.CreateStreamKeyAsync($"key {i}");
        }

        using var refused = await alice.PostAsync("/api/media/keys", new { name = "one more" });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("10", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal(10, (await alice.GetJsonAsync("/api/media/keys")).GetArrayLength());
    }

    [Fact]
    public async Task Whip_with_a_key_goes_live_without_a_cookie_and_its_delete_ends_the_stream()
    {
        var (events, lifetime) = await MediaTestSupport.SubscribeMediaEventsAsync(fixture);
        await using var _ = lifetime;
        using var alice = await new UserSession(fixture).RegisterAsync();
        using var bob = await new UserSession(fixture).RegisterAsync();
        await alice.BefriendAsync(bob);
        var (_, aliceKey) = await alice.CreateStreamKeyAsync("OBS");
        var (_, bobKey) = await bob.CreateStreamKeyAsync("OBS");
        using var client = fixture.CreateGatewayClient();

        using var published = await client.SendAsync(WhipPost(aliceKey, "?title=From%20OBS&denoise=false"));
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        Assert.Equal("application/sdp", published.Content.Headers.ContentType?.MediaType);
        Assert.Contains("a=ice-lite", await published.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var location = published.Headers.Location!.OriginalString;
        Assert.Matches("^/api/media/whip/[0-9a-f-]{36}/[0-9a-f-]{36}$", location);
        Assert.Contains(published.Headers.GetValues("Link"), link => link.Contains("rel=\"ice-server\"", StringComparison.Ordinal));
        await events.NextForAsync<StreamStarted>(alice.UserName, EventTimeout);
        var stats = await bob.GetJsonAsync($"/api/media/streams/{alice.UserName}");
        Assert.Equal("From OBS", stats.GetProperty("title").GetString());
        Assert.False(stats.GetProperty("denoise").GetBoolean());
        Assert.NotEqual(JsonValueKind.Null, (await alice.GetJsonAsync("/api/media/keys"))[0].GetProperty("lastUsedAt").ValueKind);

        // Already live: 409. Trickle and ICE restart: 405 (RFC 9725 §4.3.1), the client keeps its session.
        Assert.Equal(HttpStatusCode.Conflict, (await client.SendAsync(WhipPost(aliceKey))).StatusCode);
        using var patch = new HttpRequestMessage(HttpMethod.Patch, new Uri(location, UriKind.Relative))
        {
            Content = new StringContent("a=ice-ufrag:EsAw\r\na=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host\r\n", Encoding.UTF8),
        };
        patch.Content.Headers.ContentType = new MediaTypeHeaderValue("application/trickle-ice-sdpfrag");
        using var patched = await client.SendAsync(patch);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, patched.StatusCode);
        Assert.Contains("DELETE", patched.Content.Headers.Allow);

        // Someone else's key cannot hang up alice's stream; a wrong one is not a key at all.
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(WhipDelete(location, bobKey))).StatusCode);
        using var wrong = await client.SendAsync(WhipDelete(location, "ask_" + new string('x', 43)));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("Bearer", wrong.Headers.WwwAuthenticate.Single().Scheme);

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(WhipDelete(location, aliceKey))).StatusCode);
        await events.NextForAsync<StreamEnded>(alice.UserName, EventTimeout);
        Assert.Equal(HttpStatusCode.NotFound, await UserSession.StatusOfAsync(bob.GetAsync($"/api/media/streams/{alice.UserName}")));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer ")]
    [InlineData("Bearer not-a-key")]
    [InlineData("Bearer ask_0000000000000000000000000000000000000000000")]
    public async Task Whip_without_a_valid_key_is_401_with_a_bearer_challenge(string? authorization)
    {
        using var client = fixture.CreateGatewayClient();
        using var request = WhipPost(key: null);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Revoking_the_key_a_stream_went_live_with_ends_it_and_the_key_stops_working()
    {
        var (events, lifetime) = await MediaTestSupport.SubscribeMediaEventsAsync(fixture);
        await using var _ = lifetime;
        using var alice = await new UserSession(fixture).RegisterAsync();
        var (id, key) = await alice.CreateStreamKeyAsync("laptop");
        using var client = fixture.CreateGatewayClient();
        using var published = await client.SendAsync(WhipPost(key));
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        await events.NextForAsync<StreamStarted>(alice.UserName, EventTimeout);

        Assert.Equal(HttpStatusCode.NoContent, await UserSession.StatusOfAsync(alice.DeleteAsync($"/api/media/keys/{id}")));
        await events.NextForAsync<StreamEnded>(alice.UserName, EventTimeout);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(WhipPost(key))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(WhipDelete(published.Headers.Location!.OriginalString, key))).StatusCode);
    }

    [Fact]
    public async Task Key_secrets_never_reach_the_logs()
    {
        using var alice = await new UserSession(fixture).RegisterAsync();
        var (_, key) = await alice.CreateStreamKeyAsync("log check");
        using var client = fixture.CreateGatewayClient();
        using var published = await client.SendAsync(WhipPost(key));
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(WhipDelete(published.Headers.Location!.OriginalString, key))).StatusCode);

        foreach (var resource in new[] { "gateway", "media" })
        {
            var lines = await MediaTestSupport.LogsAsync(fixture, resource);
            Assert.NotEmpty(lines);
            Assert.DoesNotContain(lines, line => line.Contains(key["ask_".Length..], StringComparison.Ordinal));
        }
    }

    private static HttpRequestMessage WhipPost(string? key, string query = "")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/media/whip" + query, UriKind.Relative))
        {
            Content = new StringContent(MediaTestSupport.Offer("sendonly"), Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/sdp");
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        return request;
    }

    private static HttpRequestMessage WhipDelete(string location, string key) => new(HttpMethod.Delete, new Uri(location, UriKind.Relative))
    {
        Headers = { Authorization = new AuthenticationHeaderValue("Bearer", key) },
    };
}
