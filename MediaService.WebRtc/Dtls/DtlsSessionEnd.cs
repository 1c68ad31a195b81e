namespace AudioStream.MediaService.WebRtc.Dtls;

/// <summary>Why the other side ended a <see cref="DtlsSrtpSession"/>.</summary>
public enum DtlsSessionEnd
{
    /// <summary>It sent close_notify: an orderly hang-up.</summary>
    CloseNotify,

    /// <summary>A fatal alert, a failed handshake or a certificate that does not match the SDP fingerprint.</summary>
    Failed,
}
