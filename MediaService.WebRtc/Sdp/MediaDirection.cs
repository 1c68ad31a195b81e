namespace AudioStream.MediaService.WebRtc.Sdp;

/// <summary>A media section's direction attribute (RFC 8866 §6.7), as seen by the side that wrote it.</summary>
public enum MediaDirection
{
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}
