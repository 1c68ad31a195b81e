namespace AudioStream.MediaService.WebRtc.Srtp;

public enum SrtpResult
{
    Ok,
    Malformed,
    AuthenticationFailed,
    Replayed,
}
