namespace AudioStream.MediaService.WebRtc;

internal sealed class PeerCounterSet
{
    public long PacketsIn;
    public long BytesIn;
    public long PacketsOut;
    public long BytesOut;
    public long RtcpIn;
    public long PacketsLost;
    public long LatePackets;
    public long DuplicatePackets;
    public long SrtpAuthFailures;
    public long Malformed;
    public long QueueDropped;
    public long FramesDecoded;
    public long FramesConcealed;
    public long FramesSendDropped;
    public long IceChecks;
    public long RtcpOut;
    public long DtlsIn;

    public PeerCounters Snapshot() => new(
        Interlocked.Read(ref PacketsIn),
        Interlocked.Read(ref BytesIn),
        Interlocked.Read(ref PacketsOut),
        Interlocked.Read(ref BytesOut),
        Interlocked.Read(ref RtcpIn),
        Interlocked.Read(ref PacketsLost),
        Interlocked.Read(ref LatePackets),
        Interlocked.Read(ref DuplicatePackets),
        Interlocked.Read(ref SrtpAuthFailures),
        Interlocked.Read(ref Malformed),
        Interlocked.Read(ref QueueDropped),
        Interlocked.Read(ref FramesDecoded),
        Interlocked.Read(ref FramesConcealed),
        Interlocked.Read(ref FramesSendDropped),
        Interlocked.Read(ref IceChecks),
        Interlocked.Read(ref RtcpOut),
        Interlocked.Read(ref DtlsIn));
}
