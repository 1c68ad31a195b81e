namespace AudioStream.MediaService.WebRtc.Stun;

public sealed class StunParseException(string message) : FormatException($"Malformed STUN message: {message}");
