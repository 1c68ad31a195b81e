namespace AudioStream.MediaService.WebRtc;

public enum PeerState
{
    New,
    Connecting,
    Connected,
    Closed,
}
