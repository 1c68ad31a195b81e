using System.Net;
using AudioStream.MediaService.WebRtc.Dtls;
using AudioStream.MediaService.WebRtc.Ice;

namespace AudioStream.MediaService.WebRtc;

public sealed class WebRtcEndpointOptions
{
    /// <summary>Local address of the one UDP socket. Default: all IPv4 interfaces.</summary>
    public IPAddress BindAddress { get; set; } = IPAddress.Any;

    /// <summary>UDP port; 0 takes an ephemeral one (see <see cref="WebRtcEndpoint.LocalEndPoint"/>).</summary>
    public int Port { get; set; }

    /// <summary>The address put in the answer's c= line and host candidate (what browsers can reach).</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>The port advertised in the answer, when a NAT maps another one to ours; default: the bound port.</summary>
    public int? AdvertisedPort { get; set; }

    /// <summary>A connected peer with no valid ICE check for this long is closed (consent lapsed).</summary>
    public TimeSpan ConsentTimeout { get; set; } = IceLiteResponder.DefaultConsentTimeout;

    /// <summary>A peer not connected (ICE + DTLS) this long after it was created is closed.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan DtlsHandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Datagrams queued per peer between the socket and the peer's processing; beyond it they are dropped.</summary>
    public int PeerQueueCapacity { get; set; } = 256;

    /// <summary>Decoded 20 ms frames an ingest peer holds for a slow reader before dropping the oldest.</summary>
    public int FrameQueueCapacity { get; set; } = 250;

    /// <summary>Reordering tolerated before a missing packet is concealed.</summary>
    public int MaxReorderPackets { get; set; } = 3;

    /// <summary>Opus bitrate for egress; 0 = 48 kbit/s mono, 64 kbit/s stereo.</summary>
    public int EgressBitrate { get; set; }

    /// <summary>DTLS certificate; default one per process (<see cref="DtlsCertificate.Shared"/>).</summary>
    public DtlsCertificate? Certificate { get; set; }

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
