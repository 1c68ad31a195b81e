namespace AudioStream.MediaService.WebRtc;

public sealed class PeerClosedException(PeerCloseReason reason)
    : InvalidOperationException($"The WebRTC peer closed before connecting ({reason}).")
{
    public PeerCloseReason Reason { get; } = reason;
}
