namespace AudioStream.MediaService.WebRtc.Sdp;

/// <summary>The SDP cannot be read or cannot be answered; the message says why, in words fit for a problem response.</summary>
public sealed class SdpParseException(string message) : FormatException($"Invalid SDP: {message}");
