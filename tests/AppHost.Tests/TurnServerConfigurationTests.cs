using System.Net;
using AudioStream.AppHost.Infrastructure;

namespace AudioStream.AppHost.Tests;

public sealed class TurnServerConfigurationTests
{
    private static readonly IPAddress[] MediaAddresses = [IPAddress.Loopback, IPAddress.Parse("192.168.1.20"), IPAddress.Parse("fd00::2")];

    [Fact]
    public void The_relay_reaches_the_media_addresses_and_nothing_else()
    {
        var lines = Write(new TurnSettings());

        Assert.Contains("denied-peer-ip=0.0.0.0-255.255.255.255", lines);
        Assert.Contains("denied-peer-ip=::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", lines);
        Assert.Equal(["allowed-peer-ip=192.168.1.20", "allowed-peer-ip=fd00::2"], lines.Where(l => l.StartsWith("allowed-peer-ip=", StringComparison.Ordinal)));
        Assert.DoesNotContain("allow-loopback-peers", lines);
        Assert.Contains("no-tcp-relay", lines);
        Assert.Contains("no-multicast-peers", lines);
    }

    [Fact]
    public void Loopback_peers_only_when_asked()
    {
        var lines = Write(new TurnSettings { AllowLoopbackPeers = true });

        Assert.Contains("allow-loopback-peers", lines);
        Assert.Contains("allowed-peer-ip=127.0.0.1", lines);
    }

    [Fact]
    public void Requests_are_logged_only_when_asked()
    {
        Assert.DoesNotContain("verbose", Write(new TurnSettings()));
        Assert.Contains("verbose", Write(new TurnSettings { Verbose = true }));
    }

    [Fact]
    public void Credentials_are_short_lived_ones_signed_with_the_secret_and_there_is_no_admin_interface()
    {
        var lines = Write(new TurnSettings { Realm = "example.org" });

        Assert.Contains("use-auth-secret", lines);
        Assert.Contains("static-auth-secret=s3cret", lines);
        Assert.Contains("realm=example.org", lines);
        Assert.Contains("no-cli", lines);
        Assert.Contains("log-file=stdout", lines);
        Assert.Contains("listening-port=3478", lines);
    }

    [Fact]
    public void Tls_uses_the_gateway_certificate_when_it_is_pem()
    {
        var withTls = Write(new TurnSettings(), tlsPort: 5349, certificate: "/c/gateway.crt", key: "/c/gateway.key");
        Assert.Contains("tls-listening-port=5349", withTls);
        Assert.Contains("cert=/c/gateway.crt", withTls);
        Assert.Contains("pkey=/c/gateway.key", withTls);
        Assert.Contains("no-tlsv1_1", withTls);

        var withoutTls = Write(new TurnSettings(), tlsPort: null, certificate: "/c/gateway.pfx", key: null);
        Assert.Contains("no-tls", withoutTls);
        Assert.DoesNotContain(withoutTls, l => l.StartsWith("cert=", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("auto", null)]
    [InlineData("media.example.org", null)]
    [InlineData("203.0.113.9", "203.0.113.9")]
    [InlineData("2001:db8::1", "2001:db8::1")]
    public void Only_literal_addresses_become_peers(string configured, string? expected)
    {
        Assert.Equal(expected, TurnServerConfiguration.AddressOrNull(configured)?.ToString());
    }

    private static string[] Write(TurnSettings settings, int? tlsPort = null, string? certificate = null, string? key = null) =>
        TurnServerConfiguration.Write(settings, 3478, tlsPort, "s3cret", "/data/turn", MediaAddresses, certificate, key, null, null)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
