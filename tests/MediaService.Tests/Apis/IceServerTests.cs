using System.Text.Json;
using AudioStream.MediaService.Apis;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AudioStream.MediaService.Tests.Apis;

public sealed class IceServerTests
{
    private static readonly Guid UserId = Guid.Parse("3f2504e0-4f89-11d3-9a0c-0305e82c3301");
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    [Fact]
    public void The_servers_are_stun_and_turn_over_udp_tcp_and_tls_at_the_host_the_browser_addressed()
    {
        var response = Directory(new TurnOptions { Secret = "north", Port = 3478, TlsPort = 5349 }).For(Request("192.168.1.20:8443"), UserId);

        Assert.Equal(86400, response.TtlSeconds);
        Assert.Collection(response.IceServers,
            stun =>
            {
                Assert.Equal(["stun:192.168.1.20:3478"], stun.Urls);
                Assert.Null(stun.Username);
            },
            turn =>
            {
                Assert.Equal(
                    ["turn:192.168.1.20:3478?transport=udp", "turn:192.168.1.20:3478?transport=tcp", "turns:192.168.1.20:5349?transport=tcp"],
                    turn.Urls);
                Assert.Equal($"{Now.ToUnixTimeSeconds() + 86400}:{UserId}", turn.Username);
                Assert.Equal(TurnRestCredential.Sign("north", turn.Username!).Password, turn.Credential);
            });
    }

    [Fact]
    public void A_configured_public_host_wins_and_ipv6_hosts_get_brackets()
    {
        var configured = Directory(new TurnOptions { Secret = "s", PublicHost = "turn.example.org" }).For(Request("10.0.0.5:8443"), UserId);
        Assert.StartsWith("turn:turn.example.org:3478", configured.IceServers[1].Urls[0], StringComparison.Ordinal);

        var v6 = Directory(new TurnOptions { Secret = "s" }).For(Request("[fd00::2]:8443"), UserId);
        Assert.Equal("stun:[fd00::2]:3478", v6.IceServers[0].Urls[0]);
    }

    [Fact]
    public void Without_a_tls_port_there_is_no_turns_url_and_without_a_secret_no_server()
    {
        var noTls = Directory(new TurnOptions { Secret = "s", TlsPort = 0 }).For(Request("h:1"), UserId);
        Assert.DoesNotContain(noTls.IceServers[1].Urls, url => url.StartsWith("turns:", StringComparison.Ordinal));

        Assert.Empty(Directory(new TurnOptions()).For(Request("h:1"), UserId).IceServers);
    }

    [Fact]
    public void The_json_is_an_rtc_configuration_fragment()
    {
        var response = Directory(new TurnOptions { Secret = "s" }).For(Request("h:1"), UserId);
        var json = JsonDocument.Parse(JsonSerializer.Serialize(response, WebJson)).RootElement;

        Assert.Equal(86400, json.GetProperty("ttlSeconds").GetInt32());
        var servers = json.GetProperty("iceServers");
        Assert.False(servers[0].TryGetProperty("username", out _));
        Assert.Equal(JsonValueKind.Array, servers[1].GetProperty("urls").ValueKind);
        Assert.Equal(JsonValueKind.String, servers[1].GetProperty("credential").ValueKind);
    }

    /// <summary>RFC 9725 §4.6 (its example): one Link per URL, TURN ones with username, credential and credential-type.</summary>
    [Fact]
    public void Link_headers_follow_the_whip_example()
    {
        var links = IceServerLinks.Format(
        [
            new IceServer(["stun:stun.example.net"]),
            new IceServer(["turn:turn.example.net?transport=udp", "turns:turn.example.net?transport=tcp"], "user", "myPassword"),
        ]);

        Assert.Equal(
        [
            "<stun:stun.example.net>; rel=\"ice-server\"",
            "<turn:turn.example.net?transport=udp>; rel=\"ice-server\"; username=\"user\"; credential=\"myPassword\"; credential-type=\"password\"",
            "<turns:turn.example.net?transport=tcp>; rel=\"ice-server\"; username=\"user\"; credential=\"myPassword\"; credential-type=\"password\"",
        ], links);
    }

    [Fact]
    public void Link_parameters_are_quoted_strings()
    {
        var link = IceServerLinks.Format([new IceServer(["turn:h"], "a\"b", "c\\d")]).Single();

        Assert.Contains("username=\"a\\\"b\"", link, StringComparison.Ordinal);
        Assert.Contains("credential=\"c\\\\d\"", link, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("example.org", "example.org")]
    [InlineData("192.0.2.7", "192.0.2.7")]
    [InlineData("fd00::2", "[fd00::2]")]
    [InlineData("[fd00::2]", "[fd00::2]")]
    [InlineData("bad host>", null)]
    [InlineData("", null)]
    public void Only_host_names_and_addresses_go_into_urls(string host, string? expected)
    {
        Assert.Equal(expected, IceServerDirectory.UrlHost(host));
    }

    private static IceServerDirectory Directory(TurnOptions options) => new(Options.Create(options), new FakeTimeProvider(Now));

    private static HttpRequest Request(string host)
    {
        var context = new DefaultHttpContext();
        context.Request.Host = new HostString(host);
        return context.Request;
    }
}
