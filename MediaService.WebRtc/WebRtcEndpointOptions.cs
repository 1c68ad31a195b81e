using System.Net;
using AudioStream.MediaService.WebRtc.Dtls;
using AudioStream.MediaService.WebRtc.Ice;

namespace AudioStream.MediaService.WebRtc;

public sealed class WebRtcEndpointOptions
{
    /// <summary>The <see cref="AdvertisedAddress"/> that offers every usable address of the machine.</summary>
    public const string AutoAddress = "auto";

    /// <summary>Local address of the endpoint's UDP socket. Default: all IPv4 interfaces.</summary>
    public IPAddress BindAddress { get; set; } = IPAddress.Any;

    /// <summary>UDP port; 0 takes an ephemeral one (see <see cref="WebRtcEndpoint.LocalEndPoint"/>).</summary>
    public int Port { get; set; }

    /// <summary>
    /// TCP port for ICE-TCP (RFC 6544 passive candidates beside the UDP ones), for browsers whose network blocks UDP;
    /// 0 takes an ephemeral one, null (default) offers no TCP.
    /// </summary>
    public int? TcpPort { get; set; }

    /// <summary>
    /// What browsers are told to reach (host candidates; the first is the answer's c= line). <c>auto</c> (default):
    /// one candidate per usable address of the machine, found per offer (<see cref="HostAddressSelector"/>), or the
    /// bind address when that is not a wildcard. Anything else is advertised as written, alone.
    /// </summary>
    public string AdvertisedAddress { get; set; } = AutoAddress;

    /// <summary>
    /// An address to advertise in addition (an IP literal): the public address of a NAT that forwards our port,
    /// for friends on the internet. Null: none.
    /// </summary>
    public string? PublicAddress { get; set; }

    /// <summary>
    /// The port advertised with <see cref="PublicAddress"/> and an explicit <see cref="AdvertisedAddress"/>, when a NAT
    /// maps another one to ours; default: the bound port. The machine's own addresses always carry the bound port.
    /// </summary>
    public int? AdvertisedPort { get; set; }

    /// <summary>Interface-name patterns whose addresses <c>auto</c> never offers (container and VM bridges).</summary>
    public IReadOnlyList<string> ExcludedInterfaces { get; set; } = HostAddressSelector.DefaultExcludedInterfaces;

    /// <summary>Whether <c>auto</c> offers IPv6 addresses (global and unique-local) besides IPv4 ones.</summary>
    public bool AdvertiseIPv6 { get; set; } = true;

    /// <summary>Where <c>auto</c> reads the machine's interfaces; replaceable for tests.</summary>
    public Func<IReadOnlyList<LocalInterface>> NetworkInterfaces { get; set; } = LocalInterface.FromSystem;

    /// <summary>A connected peer with no valid ICE check for this long is closed (consent lapsed).</summary>
    public TimeSpan ConsentTimeout { get; set; } = IceLiteResponder.DefaultConsentTimeout;

    /// <summary>A peer not connected (ICE + DTLS) this long after it was created is closed.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan DtlsHandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Threads that run DTLS handshakes (BouncyCastle's handshake blocks its thread); more handshakes at once wait in
    /// a queue. A handshake takes 10–30 ms of work, but one whose client stalls holds its thread up to
    /// <see cref="DtlsHandshakeTimeout"/>. Connected peers hold no thread.
    /// </summary>
    public int DtlsHandshakeThreads { get; set; } = 8;

    /// <summary>Datagrams queued per peer between the socket and the peer's processing; beyond it they are dropped.</summary>
    public int PeerQueueCapacity { get; set; } = 256;

    /// <summary>
    /// Bytes of SRTP/SRTCP a peer may hold (queued, or kept until its keys arrive); beyond it datagrams are dropped and
    /// counted. The DTLS queue holds at most 64 datagrams of at most 1500 bytes besides.
    /// </summary>
    public int PeerBufferBytes { get; set; } = 128 * 1024;

    /// <summary>Decoded 20 ms frames an ingest peer holds for a slow reader before dropping the oldest.</summary>
    public int FrameQueueCapacity { get; set; } = 250;

    /// <summary>Reordering tolerated before a missing packet is concealed.</summary>
    public int MaxReorderPackets { get; set; } = 3;

    /// <summary>Opus bitrate for egress; 0 = 48 kbit/s mono, 64 kbit/s stereo.</summary>
    public int EgressBitrate { get; set; }

    /// <summary>DTLS certificate; default one per process (<see cref="DtlsCertificate.Shared"/>).</summary>
    public DtlsCertificate? Certificate { get; set; }

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Whether <see cref="AdvertisedAddress"/> is <c>auto</c>.</summary>
    public bool AdvertisesEveryAddress => AdvertisedAddress.Equals(AutoAddress, StringComparison.OrdinalIgnoreCase);
}
