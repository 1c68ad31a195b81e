namespace AudioStream.MediaService.WebRtc.Rtcp;

/// <summary>RFC 3550 §6.4.1 sender info.</summary>
public readonly record struct RtcpSenderInfo(ulong NtpTimestamp, uint RtpTimestamp, uint PacketCount, uint OctetCount);
