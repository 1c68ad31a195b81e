namespace AudioStream.MediaService.WebRtc.Client;

/// <summary>One authenticated, decrypted RTP packet as a <see cref="WebRtcClient"/> receiver got it.</summary>
public delegate void RtpReceivedHandler(ushort sequence, uint timestamp, ReadOnlySpan<byte> payload, long arrivalTimestamp);
