using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace AudioStream.IntegrationTests;

/// <summary>One browser-like user talking to the gateway: its own cookie jar, JSON in and out.</summary>
public sealed class UserSession : IDisposable
{
    private static int Counter;

    private readonly HttpClient _client;

    public UserSession(AppHostFixture fixture, string? userName = null)
        : this(fixture.App.GetEndpoint("gateway", "http"), userName)
    {
    }

    /// <summary>
    /// A user at another address as far as the gateway can tell: every connection leaves from <paramref name="from"/>
    /// (any 127.x.y.z, all of 127/8 is on the loopback interface) to the gateway's loopback port.
    /// </summary>
    public UserSession(AppHostFixture fixture, IPAddress from, string? userName = null)
        : this(fixture.App.GetEndpoint("gateway", "http"), userName, from)
    {
    }

    public UserSession(Uri gateway, string? userName = null)
        : this(gateway, userName, from: null)
    {
    }

    private UserSession(Uri gateway, string? userName, IPAddress? from)
    {
        Cookies = new CookieContainer();
        var handler = new SocketsHttpHandler { CookieContainer = Cookies, UseCookies = true, AllowAutoRedirect = false };
        if (from is not null)
        {
            handler.ConnectCallback = (context, cancellationToken) => ConnectFromAsync(from, context.DnsEndPoint.Port, cancellationToken);
        }
        _client = new HttpClient(handler)
        {
            BaseAddress = gateway,
            Timeout = TimeSpan.FromSeconds(30),
        };
        UserName = userName ?? UniqueName();
    }

    public string UserName { get; }

    public string Password { get; } = "correct horse battery";

    public CookieContainer Cookies { get; }

    public Uri BaseAddress => _client.BaseAddress!;

    /// <summary>Names unique per test run and per call, so tests never see each other's users.</summary>
    public static string UniqueName(string prefix = "u") =>
        $"{prefix}{Interlocked.Increment(ref Counter)}_{Guid.NewGuid().ToString("N")[..8]}";

    public async Task<UserSession> RegisterAsync()
    {
        using var response = await PostAsync("/api/identity/register", new { username = UserName, email = $"{UserName}@example.com", password = Password });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return this;
    }

    public Task<HttpResponseMessage> GetAsync(string path) => _client.GetAsync(new Uri(path, UriKind.Relative));

    public Task<HttpResponseMessage> DeleteAsync(string path) => _client.DeleteAsync(new Uri(path, UriKind.Relative));

    public Task<HttpResponseMessage> PostAsync(string path, object? body = null) =>
        body is null
            ? _client.PostAsync(new Uri(path, UriKind.Relative), null)
            : _client.PostAsJsonAsync(new Uri(path, UriKind.Relative), body);

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => _client.SendAsync(request);

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task<HttpStatusCode> StatusOfAsync(Task<HttpResponseMessage> pending)
    {
        using var response = await pending;
        return response.StatusCode;
    }

    /// <summary>Sends a friend request to <paramref name="other"/> and has them accept it.</summary>
    public async Task BefriendAsync(UserSession other)
    {
        using var sent = await PostAsync("/api/social/requests", new { username = other.UserName });
        Assert.Equal(HttpStatusCode.Created, sent.StatusCode);
        var id = (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        using var accepted = await other.PostAsync($"/api/social/requests/{id}/accept");
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    private static async ValueTask<Stream> ConnectFromAsync(IPAddress from, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(from, 0));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _client.Dispose();
}
