namespace AudioStream.MediaService.WebRtc;

/// <summary>One decoded 20 ms (usually) frame of 48 kHz mono PCM, in [-1, 1].</summary>
/// <param name="Samples">The samples; the frame owns them.</param>
/// <param name="RtpTimestamp">RTP timestamp (48 kHz units) of the frame's first sample.</param>
/// <param name="SequenceNumber">RTP sequence number the frame came from (or stood in for).</param>
/// <param name="Concealed">True when the packet was lost and Opus concealment produced the samples.</param>
public sealed record AudioFrame(float[] Samples, uint RtpTimestamp, ushort SequenceNumber, bool Concealed);
