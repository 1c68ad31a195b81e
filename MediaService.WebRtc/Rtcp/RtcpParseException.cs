namespace AudioStream.MediaService.WebRtc.Rtcp;

public sealed class RtcpParseException(string message) : FormatException($"Malformed RTCP: {message}");
