using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AudioStream.AppHost.Infrastructure;

/// <summary>
/// coturn's config file (written readable by its owner only, since it holds the shared secret). The relay exists to
/// carry browsers' media to our media nodes and nowhere else: every peer address is denied but the media nodes'
/// (an open relay would let anyone reach the private network behind it, coturn #1407).
/// </summary>
internal static class TurnServerConfiguration
{
    /// <summary>All of IPv4 and IPv6: private ranges, loopback and the internet alike.</summary>
    private static readonly string[] DeniedPeerRanges =
    [
        "0.0.0.0-255.255.255.255",
        "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    ];

    public static string Write(
        TurnSettings settings, int port, int? tlsPort, string secret, string dataDirectory,
        IEnumerable<IPAddress> mediaAddresses, string? certificatePath, string? keyPath, string? keyPassword, string? externalAddress)
    {
        var text = new StringBuilder();
        void Line(string line) => text.Append(line).Append('\n');

        Line($"listening-port={port}");
        if (tlsPort is { } tls && certificatePath is not null && keyPath is not null)
        {
            Line($"tls-listening-port={tls}");
            Line($"cert={certificatePath}");
            Line($"pkey={keyPath}");
            if (!string.IsNullOrEmpty(keyPassword))
            {
                Line($"pkey-pwd={keyPassword}");
            }
            Line("no-tlsv1");
            Line("no-tlsv1_1");
        }
        else
        {
            Line("no-tls");
        }
        // TLS over TCP only; browsers do not speak TURN over DTLS.
        Line("no-dtls");
        Line($"min-port={settings.RelayMinPort}");
        Line($"max-port={settings.RelayMaxPort}");
        if (externalAddress is not null)
        {
            Line($"external-ip={externalAddress}");
        }

        // Short-lived credentials (draft-uberti-behave-turn-rest-00): MediaService signs "expiry:user" with this secret.
        Line($"realm={settings.Realm}");
        Line("use-auth-secret");
        Line($"static-auth-secret={secret}");
        Line("fingerprint");
        Line("stale-nonce=600");

        Line("no-tcp-relay");
        Line("no-multicast-peers");
        foreach (var range in DeniedPeerRanges)
        {
            Line($"denied-peer-ip={range}");
        }
        if (settings.AllowLoopbackPeers)
        {
            Line("allow-loopback-peers");
        }
        // coturn checks allowed-peer-ip before denied-peer-ip.
        foreach (var address in mediaAddresses.Distinct())
        {
            if (settings.AllowLoopbackPeers || !IPAddress.IsLoopback(address))
            {
                Line($"allowed-peer-ip={address}");
            }
        }

        Line("no-cli");
        Line("no-rfc5780");
        Line("no-stun-backward-compatibility");
        Line("response-origin-only-with-rfc5780");
        Line("no-software-attribute");
        Line("log-file=stdout");
        if (settings.Verbose)
        {
            Line("verbose");
        }
        Line("simple-log");
        Line($"pidfile={Path.Combine(dataDirectory, "turnserver.pid")}");
        Line($"userdb={Path.Combine(dataDirectory, "turndb")}");
        return text.ToString();
    }

    /// <summary>A literal IP address the relay may send to, or null for a name (<c>auto</c>, a host name).</summary>
    public static IPAddress? AddressOrNull(string? value) =>
        IPAddress.TryParse(value, out var address) && address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6
            ? address
            : null;
}
