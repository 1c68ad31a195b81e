namespace AudioStream.MediaService.WebRtc;

public enum PeerState
{
    New,
    Connecting,
    Connected,
    Closed,
}

public enum PeerCloseReason
{
    None,
    Disposed,
    ConsentLapsed,
    DtlsCloseNotify,
    DtlsFailed,
    ConnectTimeout,
    EndpointDisposed,
}

/// <summary>One decoded 20 ms (usually) frame of 48 kHz mono PCM, in [-1, 1].</summary>
/// <param name="Samples">The samples; the frame owns them.</param>
/// <param name="RtpTimestamp">RTP timestamp (48 kHz units) of the frame's first sample.</param>
/// <param name="SequenceNumber">RTP sequence number the frame came from (or stood in for).</param>
/// <param name="Concealed">True when the packet was lost and Opus concealment produced the samples.</param>
public sealed record AudioFrame(float[] Samples, uint RtpTimestamp, ushort SequenceNumber, bool Concealed);

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
    long RtcpOut = 0);

public sealed class PeerClosedEventArgs(PeerCloseReason reason) : EventArgs
{
    public PeerCloseReason Reason { get; } = reason;
}

public sealed class PeerClosedException(PeerCloseReason reason)
    : InvalidOperationException($"The WebRTC peer closed before connecting ({reason}).")
{
    public PeerCloseReason Reason { get; } = reason;
}

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
        Interlocked.Read(ref RtcpOut));
}
