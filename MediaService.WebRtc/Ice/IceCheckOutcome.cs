namespace AudioStream.MediaService.WebRtc.Ice;

public enum IceCheckOutcome
{
    /// <summary>Not a binding request for this agent (other ufrag, not a request).</summary>
    NotForUs,

    /// <summary>USERNAME matched but MESSAGE-INTEGRITY (or FINGERPRINT) did not verify.</summary>
    Unauthenticated,

    /// <summary>Valid check: a success response was written.</summary>
    Answered,
}
