namespace AudioStream.MediaService.WebRtc.Sdp;

/// <summary>The media section we accepted from an offer: what a peer needs to run it.</summary>
public sealed record SdpNegotiation(
    MediaDescription Media,
    int OpusPayloadType,
    int OpusChannels,
    bool Stereo,
    string RemoteUfrag,
    string RemotePwd,
    SdpFingerprint RemoteFingerprint);
