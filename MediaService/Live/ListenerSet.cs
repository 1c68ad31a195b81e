using AudioStream.MediaService.WebRtc;
using AudioStream.MediaService.WebRtc.Opus;

namespace AudioStream.MediaService.Live;

/// <summary>
/// The WHEP listeners of one live stream: each gets its own queue on the processed track (and, for a denoised stream,
/// one on the raw track, so it can switch to the original without reconnecting) and tells the set when it
/// connects, falls behind or leaves (one way: the set never calls into a listener except to close it). The set keeps
/// the count, the frames they lost, and the stream's one Opus encoding per channel count that they share.
/// </summary>
public sealed class ListenerSet(
    Guid sessionId, bool denoised, FrameBroadcaster processed, FrameBroadcaster? original, int queueCapacity, TimeSpan lagTolerance,
    MediaMetrics metrics, TimeProvider time, ILogger logger)
{
    private readonly Dictionary<Guid, Listener> _listeners = [];
    private readonly Lock _gate = new();
    private int _count;
    private long _framesDropped;
    private SharedOpusEncoder? _monoEncoder;
    private SharedOpusEncoder? _stereoEncoder;

    public Guid SessionId { get; } = sessionId;

    /// <summary>Whether listeners hear denoised audio (a latency metric tag).</summary>
    public bool Denoised { get; } = denoised;

    /// <summary>Completes when the stream's audio for listeners has ended.</summary>
    internal Task TrackEnded => processed.Ended;

    /// <summary>Listeners whose WebRTC connection is up.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Frames any listener lost (queue overflow or too late), since the stream started.</summary>
    public long FramesDropped => Interlocked.Read(ref _framesDropped);

    /// <summary>Raised with the new count whenever a listener connects or leaves.</summary>
    public event Action<int>? CountChanged;

    /// <summary>Adds a listener holding <paramref name="slot"/> (given back when its peer closes); it sends once connected.</summary>
    /// <param name="sessionId">The sign-in session the listener came with: revoking it hangs up (<see cref="AccessRevocation"/>).</param>
    public Listener Add(EgressPeer peer, ListenerSlot slot, string sessionId)
    {
        var listener = new Listener(this, peer, slot, sessionId, lagTolerance, metrics, time, logger);
        lock (_gate)
        {
            _listeners[listener.ResourceId] = listener;
        }

        listener.Start();
        return listener;
    }

    public Listener? Find(Guid resourceId)
    {
        lock (_gate)
        {
            return _listeners.GetValueOrDefault(resourceId);
        }
    }

    /// <summary>Hangs up on every listener <paramref name="revoked"/> picks; returns how many.</summary>
    public int CloseWhere(Func<Listener, bool> revoked)
    {
        List<Listener> closing;
        lock (_gate)
        {
            closing = _listeners.Values.Where(revoked).ToList();
        }

        // Outside the gate: closing a peer calls back into OnLeft.
        foreach (var listener in closing)
        {
            listener.Close();
        }

        return closing.Count;
    }

    /// <summary>The listeners now (connected or still connecting).</summary>
    public IReadOnlyList<Listener> Snapshot()
    {
        lock (_gate)
        {
            return [.. _listeners.Values];
        }
    }

    /// <summary>A connected listener's queues: the processed track and, for a denoised stream, the raw one.</summary>
    internal (FrameSubscription? Original, FrameSubscription Processed) Subscribe()
    {
        // Raw frames arrive the denoiser's delay before their processed twins: the same capacity covers it. Its overflow
        // is not a listener's loss (a listener on the processed track never reads it in time to matter).
        var originalSubscription = original?.Subscribe(queueCapacity, "listener-original");
        var subscription = processed.Subscribe(queueCapacity, "listener", (consumer, reason) =>
        {
            Interlocked.Increment(ref _framesDropped);
            metrics.FrameDropped(consumer, reason);
        });
        return (originalSubscription, subscription);
    }

    /// <summary>The stream's one Opus encoding for listeners with these channels (the bitrate is the endpoint's, one for all).</summary>
    internal SharedOpusEncoder EncoderFor(int channels, int bitrate)
    {
        ref var encoder = ref channels == 2 ? ref _stereoEncoder : ref _monoEncoder;
        if (Volatile.Read(ref encoder) is { } existing)
        {
            return existing;
        }

        var created = new SharedOpusEncoder(channels, bitrate);
        return Interlocked.CompareExchange(ref encoder, created, null) ?? created;
    }

    internal void OnFrameLate()
    {
        Interlocked.Increment(ref _framesDropped);
        metrics.FrameDropped("listener", "late");
    }

    internal void OnConnected()
    {
        metrics.ListenerConnected();
        CountChanged?.Invoke(Interlocked.Increment(ref _count));
    }

    internal void OnLeft(Listener listener, bool wasConnected)
    {
        lock (_gate)
        {
            _listeners.Remove(listener.ResourceId);
        }

        if (wasConnected)
        {
            metrics.ListenerLeft();
            CountChanged?.Invoke(Interlocked.Decrement(ref _count));
        }
    }
}
