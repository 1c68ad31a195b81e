using AudioStream.MediaService.WebRtc.Ice;

namespace AudioStream.MediaService.WebRtc.Sdp;

/// <summary>What our side of the session is.</summary>
/// <param name="Candidates">Our candidates, best first; the first gives the <c>c=</c> line and the m= port.</param>
public sealed record SdpAnswerOptions(
    MediaDirection Direction,
    string IceUfrag,
    string IcePwd,
    SdpFingerprint Fingerprint,
    IReadOnlyList<IceCandidate> Candidates,
    ulong SessionId);
