namespace AudioStream.MediaService.WebRtc.Rtp;

/// <summary>The fixed-header fields a sender chooses.</summary>
public readonly record struct RtpHeader(byte PayloadType, ushort SequenceNumber, uint Timestamp, uint Ssrc, bool Marker = false);
