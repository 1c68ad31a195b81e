namespace AudioStream.MediaService.WebRtc.Jitter;

/// <summary>A frame ready for decoding: a packet, or a gap the decoder should conceal.</summary>
public readonly record struct JitterFrame(ushort SequenceNumber, uint Timestamp, int PayloadLength, bool IsLost);
