namespace AudioStream.MediaService.WebRtc.Rtcp;

/// <summary>RFC 3550 §6.4.1 report block.</summary>
public readonly record struct RtcpReportBlock(uint Ssrc, byte FractionLost, int CumulativeLost, uint HighestSequence, uint Jitter, uint LastSenderReport, uint DelaySinceLastSenderReport);
