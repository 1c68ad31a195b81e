using System.Net;

namespace AudioStream.MediaService.WebRtc.Transport;

/// <summary>
/// The path ICE selected to one peer, which every packet to it (STUN answers aside) takes: a UDP 5-tuple on one of
/// our sockets, or (RFC 6544) a TCP connection with RFC 4571 framing. A TURN relay needs nothing of its own: the
/// relay's address is just the remote end of a UDP path.
/// </summary>
internal abstract class PeerTransport
{
    /// <summary><c>udp</c> or <c>tcp</c>, as in the candidate.</summary>
    public abstract string Protocol { get; }

    /// <summary>Our address on this path: the candidate the peer's checks reached.</summary>
    public abstract IPEndPoint LocalEndPoint { get; }

    public abstract IPEndPoint RemoteEndPoint { get; }

    /// <summary>Sends one whole packet (SRTP, SRTCP, DTLS); false when the path is gone. Safe from any thread.</summary>
    public abstract bool Send(ReadOnlySpan<byte> packet);
}
