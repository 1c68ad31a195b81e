using System.Net;
using AudioStream.MediaService.WebRtc;

namespace AudioStream.MediaService.Live;

/// <summary>Configuration section <c>WebRtc</c>, mapped onto <see cref="WebRtcEndpointOptions"/>.</summary>
public sealed class WebRtcSettings
{
    public const string SectionName = "WebRtc";

    /// <summary>The one UDP port for every peer; 0 takes a free one at start-up (logged, and put in every SDP answer).</summary>
    public int Port { get; set; }

    /// <summary>What browsers can reach: the address in the answer's c= line and host candidate.</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>The port to advertise when a NAT maps another one to ours; default the bound port.</summary>
    public int? AdvertisedPort { get; set; }

    /// <summary>Local address to bind; default all IPv4 interfaces.</summary>
    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>A connected peer with no ICE consent check for this long is closed.</summary>
    public double ConsentTimeoutSeconds { get; set; } = 10;

    /// <summary>A peer that has not finished ICE + DTLS this long after its offer is closed.</summary>
    public double ConnectTimeoutSeconds { get; set; } = 30;

    public WebRtcEndpointOptions ToEndpointOptions() => new()
    {
        Port = Port,
        AdvertisedAddress = AdvertisedAddress,
        AdvertisedPort = AdvertisedPort,
        BindAddress = IPAddress.Parse(BindAddress),
        ConsentTimeout = TimeSpan.FromSeconds(ConsentTimeoutSeconds),
        ConnectTimeout = TimeSpan.FromSeconds(ConnectTimeoutSeconds),
    };
}
