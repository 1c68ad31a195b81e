namespace AudioStream.MediaService.WebRtc;

/// <summary>A snapshot of one peer's counters.</summary>
public sealed record PeerCounters(
    long PacketsIn,
    long BytesIn,
    long PacketsOut,
    long BytesOut,
    long RtcpIn,
    long PacketsLost,
    long LatePackets,
    long DuplicatePackets,
    long SrtpAuthFailures,
    long Malformed,
    long QueueDropped,
    long FramesDecoded,
    long FramesConcealed,
    long FramesSendDropped,
    long IceChecks,
    long RtcpOut = 0,
    long DtlsIn = 0);
