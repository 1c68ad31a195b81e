namespace AudioStream.MediaService.WebRtc.Mux;

/// <summary>
/// Tells the protocols sharing one 5-tuple apart, the one place the rule lives (RFC 7983 §7): the first byte says
/// STUN (0–3), DTLS (20–63) or RTP/RTCP (128–191); with rtcp-mux the second byte of RTCP is its packet type 192–223,
/// which for RTP would be a marker bit over payload types 64–95, numbers WebRTC never uses (RFC 5761 §4).
/// </summary>
public static class PacketClassifier
{
    private const int MinRtcpLength = 8;

    public static PacketKind Classify(ReadOnlySpan<byte> packet)
    {
        if (packet.IsEmpty)
        {
            return PacketKind.Unknown;
        }

        return packet[0] switch
        {
            <= 3 => PacketKind.Stun,
            >= 20 and <= 63 => PacketKind.Dtls,
            >= 128 and <= 191 => IsRtcp(packet) ? PacketKind.Rtcp : PacketKind.Rtp,
            _ => PacketKind.Unknown,
        };
    }

    /// <summary>RTP version 2 with an RTCP packet type in the second byte (RFC 5761 §4).</summary>
    public static bool IsRtcp(ReadOnlySpan<byte> packet) =>
        packet.Length >= MinRtcpLength && packet[0] >> 6 == 2 && packet[1] is >= 192 and <= 223;
}
