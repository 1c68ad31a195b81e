namespace AudioStream.MediaService.WebRtc;

public sealed class PeerClosedEventArgs(PeerCloseReason reason) : EventArgs
{
    public PeerCloseReason Reason { get; } = reason;
}
