using AudioStream.MediaService.WebRtc;

namespace AudioStream.MediaService.Live;

/// <summary>
/// One WHEP listener: its own queue on the processed track and a loop that sends each frame at the stream's playout
/// time (20 ms apart), so bursts from the denoiser reach the browser as an even stream. The queue and the loop exist only
/// once the peer is connected (ICE + DTLS): an offer that never connects costs no timer and no frames. The listener's
/// <see cref="ListenerSlot"/> is given back when its peer closes, whatever the reason.
/// </summary>
/// <remarks>
/// Cleaned / original: the processed frames always set the pace; with <see cref="PlayOriginal"/> each is replaced by
/// the raw frame at the same sample offset (raw frames come earlier and wait in a small ring), so switching changes
/// the audio from the next frame on, on the same timeline, without a gap or a new connection.
/// <para>
/// Drop policy: the queue holds one denoiser burst plus a second and drops its <em>oldest</em> frame when full;
/// a listener that falls more than the lag tolerance behind the playout clock skips frames until it is on time.
/// Both are counted (<c>audiostream.media.frames.dropped</c>, consumer=listener). Nothing is inserted when the
/// queue runs dry: the browser's jitter buffer conceals, and latency does not creep.
/// </para>
/// </remarks>
public sealed class Listener : IDisposable
{
    /// <summary>Raw frames kept for lookup by offset: 10 s, more than any denoiser delay plus the playout margin.</summary>
    private const int RecentOriginalFrames = 512;

    private readonly ListenerSet _set;
    private readonly ListenerSlot _slot;
    private FrameSubscription? _subscription;
    private FrameSubscription? _original;
    private readonly MediaFrame?[] _recentOriginal = new MediaFrame?[RecentOriginalFrames];
    private readonly TimeSpan _lagTolerance;
    private readonly MediaMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private volatile bool _playOriginal;
    private int _connection; // 0 connecting, 1 counted as connected, 2 left
    private long _sent;
    private long _late;

    internal Listener(
        ListenerSet set, EgressPeer peer, ListenerSlot slot, string sessionId, TimeSpan lagTolerance, MediaMetrics metrics,
        TimeProvider time, ILogger logger)
    {
        _set = set;
        Peer = peer;
        _slot = slot;
        UserId = slot.UserId;
        SessionId = sessionId;
        _lagTolerance = lagTolerance;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    public Guid ResourceId { get; } = Guid.NewGuid();

    public Guid UserId { get; }

    /// <summary>The listener's sign-in session (its cookie's); the connection lasts no longer than it.</summary>
    public string SessionId { get; }

    public EgressPeer Peer { get; }

    public long FramesSent => Interlocked.Read(ref _sent);

    public long FramesDroppedLate => Interlocked.Read(ref _late);

    public long FramesDroppedOverflow => Volatile.Read(ref _subscription)?.Dropped ?? 0;

    /// <summary>Whether the send loop runs (only once the peer is connected).</summary>
    public bool IsSending => Volatile.Read(ref _subscription) is not null;

    /// <summary>Whether this listener can hear the un-denoised microphone (the stream is denoised).</summary>
    public bool HasOriginal => _set.Denoised;

    /// <summary>Plays the original (un-denoised) track instead of the cleaned one, from the next frame on.</summary>
    public bool PlayOriginal
    {
        get => _playOriginal;
        set => _playOriginal = value && HasOriginal;
    }

    internal void Start()
    {
        Peer.Closed += (_, _) => Leave();
        if (Peer.State == PeerState.Closed)
        {
            Leave(); // closed before we listened for it
            return;
        }

        _ = RunWhenConnectedAsync();
    }

    /// <summary>Closes the listener's peer; its loop then stops and the stream forgets it.</summary>
    public void Close() => Peer.Dispose();

    public void Dispose() => Close();

    /// <summary>The raw frame at <paramref name="sampleOffset"/>, reading the raw queue up to it; null when it never came.</summary>
    private MediaFrame? OriginalAt(long sampleOffset)
    {
        var index = (int)(sampleOffset / MediaFrame.Samples20Ms % RecentOriginalFrames);
        while (_recentOriginal[index]?.SampleOffset != sampleOffset && _original!.Reader.TryRead(out var raw))
        {
            _recentOriginal[(int)(raw.SampleOffset / MediaFrame.Samples20Ms % RecentOriginalFrames)] = raw;
        }
        return _recentOriginal[index] is { } found && found.SampleOffset == sampleOffset ? found : null;
    }

    private void Leave()
    {
        int previous = Interlocked.Exchange(ref _connection, 2);
        if (previous == 2)
        {
            return;
        }

        _stop.Cancel();
        _slot.Dispose();
        _set.OnLeft(this, wasConnected: previous == 1);
    }

    /// <summary>Waits for ICE + DTLS, then subscribes to the tracks and sends until the stream ends or the peer closes.</summary>
    private async Task RunWhenConnectedAsync()
    {
        var connected = Peer.WaitConnectedAsync(_stop.Token);
        if (await Task.WhenAny(connected, _set.TrackEnded).ConfigureAwait(false) != connected)
        {
            Peer.Dispose(); // the stream ended first: nothing to wait for
            _ = connected.ContinueWith(t => t.Exception, TaskScheduler.Default);
            return;
        }

        try
        {
            await connected.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is PeerClosedException or OperationCanceledException)
        {
            return; // Closed: Leave has run or will.
        }

        if (Interlocked.CompareExchange(ref _connection, 1, 0) != 0)
        {
            return;
        }

        _set.OnConnected();
        (_original, var subscription) = _set.Subscribe();
        Volatile.Write(ref _subscription, subscription);
        await RunAsync(subscription).ConfigureAwait(false);
    }

    private async Task RunAsync(FrameSubscription subscription)
    {
        var padded = new float[MediaFrame.Samples20Ms];
        var shared = _set.EncoderFor(Peer.Channels, Peer.Bitrate);
        try
        {
            await foreach (var frame in subscription.Reader.ReadAllAsync(_stop.Token))
            {
                if (frame.SkipForListeners)
                {
                    continue;
                }

                var wait = _time.GetElapsedTime(_time.GetTimestamp(), frame.ReleaseTimestamp);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, _stop.Token);
                }
                else if (-wait > _lagTolerance)
                {
                    Interlocked.Increment(ref _late);
                    _set.OnFrameLate();
                    continue;
                }

                var original = _playOriginal ? OriginalAt(frame.SampleOffset) : null;
                ReadOnlySpan<float> samples = (original ?? frame).Samples;
                if (samples.Length != MediaFrame.Samples20Ms)
                {
                    Array.Clear(padded);
                    samples.CopyTo(padded);
                    samples = padded;
                }

                // One encoding per stream; only a listener far behind the others encodes for itself.
                var packet = original is null ? shared.GetPacket(frame.SampleOffset, samples) : null;
                if (packet is not null ? Peer.SendOpus(packet) : Peer.SendFrame(samples))
                {
                    Interlocked.Increment(ref _sent);
                    _metrics.RecordLatency(_time.GetElapsedTime(frame.ArrivalTimestamp), _set.Denoised);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _logger.LogError(ex, "Listener {ResourceId} of stream {SessionId} failed", ResourceId, _set.SessionId);
        }
        finally
        {
            subscription.Dispose();
            _original?.Dispose();
            // The stream ended (its track drained) or the listener left: hang up (close_notify) either way.
            Peer.Dispose();
        }
    }
}
