namespace AudioStream.MediaService.WebRtc.Mux;

/// <summary>What one packet on a WebRTC 5-tuple is, by <see cref="PacketClassifier"/>.</summary>
public enum PacketKind
{
    /// <summary>None of the protocols we multiplex (or empty): drop it.</summary>
    Unknown,

    Stun,

    Dtls,

    Rtp,

    /// <summary>RTCP multiplexed on the RTP port (RFC 5761).</summary>
    Rtcp,
}
