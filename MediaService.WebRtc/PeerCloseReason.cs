namespace AudioStream.MediaService.WebRtc;

public enum PeerCloseReason
{
    None,
    Disposed,
    ConsentLapsed,
    DtlsCloseNotify,
    DtlsFailed,
    ConnectTimeout,
    EndpointDisposed,
}
