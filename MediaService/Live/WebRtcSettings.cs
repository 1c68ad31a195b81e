using System.Net;
using AudioStream.MediaService.WebRtc;
using AudioStream.MediaService.WebRtc.Ice;

namespace AudioStream.MediaService.Live;

/// <summary>Configuration section <c>WebRtc</c>, mapped onto <see cref="WebRtcEndpointOptions"/>.</summary>
public sealed class WebRtcSettings
{
    public const string SectionName = "WebRtc";

    /// <summary>The one UDP port for every peer; 0 takes a free one at start-up (logged, and put in every SDP answer).</summary>
    public int Port { get; set; }

    /// <summary>
    /// The ICE-TCP port (RFC 6544 passive candidates) for browsers whose network blocks UDP; 0 takes a free one at
    /// start-up, unset offers no TCP.
    /// </summary>
    public int? TcpPort { get; set; }

    /// <summary>
    /// What browsers can reach: <c>auto</c> (one host candidate per usable address of the machine, loopback only for a
    /// browser on this machine) or one address advertised as written.
    /// </summary>
    public string AdvertisedAddress { get; set; } = WebRtcEndpointOptions.AutoAddress;

    /// <summary>A public address (a NAT forwarding our port) advertised in addition; unset: none.</summary>
    public string? PublicAddress { get; set; }

    /// <summary>The port to advertise with the public or an explicit address when a NAT maps another one to ours; default the bound port.</summary>
    public int? AdvertisedPort { get; set; }

    /// <summary>Interface-name patterns <c>auto</c> leaves out (container and VM bridges); unset: the defaults.</summary>
    public string[]? ExcludedInterfaces { get; set; }

    /// <summary>Whether <c>auto</c> offers IPv6 addresses too.</summary>
    public bool AdvertiseIPv6 { get; set; } = true;

    /// <summary>Local address to bind; default all IPv4 interfaces.</summary>
    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>A connected peer with no ICE consent check for this long is closed.</summary>
    public double ConsentTimeoutSeconds { get; set; } = 10;

    /// <summary>A peer that has not finished ICE + DTLS this long after its offer is closed.</summary>
    public double ConnectTimeoutSeconds { get; set; } = 30;

    public WebRtcEndpointOptions ToEndpointOptions() => new()
    {
        Port = Port,
        TcpPort = TcpPort,
        AdvertisedAddress = AdvertisedAddress,
        PublicAddress = string.IsNullOrWhiteSpace(PublicAddress) ? null : PublicAddress.Trim(),
        AdvertisedPort = AdvertisedPort,
        ExcludedInterfaces = ExcludedInterfaces ?? HostAddressSelector.DefaultExcludedInterfaces,
        AdvertiseIPv6 = AdvertiseIPv6,
        BindAddress = IPAddress.Parse(BindAddress),
        ConsentTimeout = TimeSpan.FromSeconds(ConsentTimeoutSeconds),
        ConnectTimeout = TimeSpan.FromSeconds(ConnectTimeoutSeconds),
    };
}
