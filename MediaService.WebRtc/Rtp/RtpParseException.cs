namespace AudioStream.MediaService.WebRtc.Rtp;

public sealed class RtpParseException(string message) : FormatException($"Malformed RTP packet: {message}");
