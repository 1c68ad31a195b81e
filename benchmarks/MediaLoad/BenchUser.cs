using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace AudioStream.Benchmarks.MediaLoad;

/// <summary>One registered user with a session cookie, talking to the public API through the gateway.</summary>
internal sealed class BenchUser : IDisposable
{
    private readonly HttpClient _http;

    private BenchUser(Uri gateway, string name)
    {
        Name = name;
        _http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Name { get; }

    public static async Task<BenchUser> RegisterAsync(Uri gateway, string name)
    {
        var user = new BenchUser(gateway, name);
        using var response = await user._http.PostAsJsonAsync("/api/identity/register", new { username = name, email = $"{name}@example.com", password = "benchmark password" });
        await EnsureAsync(response, "register");
        return user;
    }

    /// <summary>Both ask: the second request accepts the first (API.md).</summary>
    public async Task BefriendAsync(BenchUser other)
    {
        using var asked = await _http.PostAsJsonAsync("/api/social/requests", new { username = other.Name });
        await EnsureAsync(asked, "friend request");
        using var accepted = await other._http.PostAsJsonAsync("/api/social/requests", new { username = Name });
        await EnsureAsync(accepted, "friend request back");
    }

    /// <returns>The WHIP URL, and the media node the gateway placed the stream on (<c>X-AudioStream-Node</c>).</returns>
    public async Task<(string WhipUrl, string Node)> GoLiveAsync(bool denoise)
    {
        using var response = await _http.PostAsJsonAsync("/api/media/streams", new { denoise, title = "load benchmark" });
        await EnsureAsync(response, "go live");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var node = response.Headers.TryGetValues("X-AudioStream-Node", out var values) ? values.First() : "?";
        return (body.GetProperty("whipUrl").GetString()!, node);
    }

    public async Task StopAsync()
    {
        using var response = await _http.DeleteAsync(new Uri("/api/media/streams/current", UriKind.Relative));
    }

    /// <summary>POSTs an SDP offer (WHIP or WHEP) and returns the answer.</summary>
    public async Task<string> ExchangeSdpAsync(string path, string offer)
    {
        using var content = new StringContent(offer, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/sdp");
        using var response = await _http.PostAsync(new Uri(path, UriKind.Relative), content);
        await EnsureAsync(response, $"POST {path}");
        return await response.Content.ReadAsStringAsync();
    }

    public async Task<JsonElement?> StatsAsync(string owner)
    {
        using var response = await _http.GetAsync(new Uri($"/api/media/streams/{owner}", UriKind.Relative));
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : null;
    }

    public void Dispose() => _http.Dispose();

    private static async Task EnsureAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}
