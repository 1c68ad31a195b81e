using AudioStream.MediaService.Denoising.Streaming;
using AudioStream.MediaService.Model;
using AudioStream.MediaService.WebRtc;
using AudioStream.MediaService.WebRtc.Opus;

namespace AudioStream.MediaService.Live;

/// <summary>
/// One broadcaster's live audio on this instance. Pumps: the ingest peer's decoded frames → the raw track (and,
/// with denoise off, the processed track); with denoise on, frames also go into a <see cref="ChunkedStreamDenoiser"/>,
/// whose output is cut back into frames for the processed track. Listeners and gRPC subscribers read the tracks
/// through their own drop-oldest queues (<see cref="FrameBroadcaster"/>); nothing downstream can slow the pumps.
/// </summary>
public sealed class LiveBroadcast
{
    /// <summary>Gaps in the sender's RTP timestamps longer than this are a new start, not silence to fill.</summary>
    private const int MaxFillSamples = 10 * MediaFrame.SampleRate;

    private static readonly float[] Silence = new float[MediaFrame.Samples20Ms];

    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly LiveOptions _options;
    private readonly MediaMetrics _metrics;
    private readonly FrameAssembler _raw;
    private readonly FrameAssembler? _processed;
    private readonly Lock _timelineGate = new();
    private readonly Queue<Segment> _timeline = new();
    private readonly Dictionary<Guid, Listener> _listeners = [];
    private readonly Lock _listenersGate = new();
    private readonly TaskCompletionSource _processedDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IngestPeer? _ingest;
    private int _ended;
    private int _listenerCount;
    private long _listenerFramesDropped;
    private SharedOpusEncoder? _monoEncoder;
    private SharedOpusEncoder? _stereoEncoder;

    public LiveBroadcast(LiveSession session, ChunkedStreamDenoiser? denoiser, LiveOptions options, MediaMetrics metrics, TimeProvider time, ILogger logger)
    {
        SessionId = session.Id;
        OwnerId = session.OwnerId;
        OwnerName = session.OwnerName;
        Title = session.Title;
        StartedAt = session.StartedAt;
        Denoiser = session.Denoise ? denoiser : null;
        _options = options;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        PlannedLatency = (Denoiser?.Latency ?? TimeSpan.Zero) + options.PlayoutMargin;
        Playout = new PlayoutClock(time, PlannedLatency);
        Raw = new FrameBroadcaster("raw");
        Processed = new FrameBroadcaster("processed");
        _raw = new FrameAssembler(OnRawFrame);
        if (Denoiser is not null)
        {
            _processed = new FrameAssembler(frame => Processed.Publish(Playout.Schedule(frame)));
            _ = Task.Run(RunDenoisedOutputAsync);
        }
        else
        {
            _processedDone.TrySetResult();
        }
    }

    public Guid SessionId { get; }

    public Guid OwnerId { get; }

    public string OwnerName { get; }

    public string? Title { get; }

    public DateTimeOffset StartedAt { get; }

    /// <summary>The stream's denoiser; null when the stream was started with denoise off.</summary>
    public ChunkedStreamDenoiser? Denoiser { get; }

    public bool Denoise => Denoiser is not null;

    /// <summary>Arrival-to-playout delay planned for listeners: the denoiser's chunk delay plus the playout margin.</summary>
    public TimeSpan PlannedLatency { get; }

    public PlayoutClock Playout { get; }

    /// <summary>The microphone as decoded (48 kHz mono), before denoising.</summary>
    public FrameBroadcaster Raw { get; }

    /// <summary>What listeners hear: denoised, or the raw frames when denoise is off.</summary>
    public FrameBroadcaster Processed { get; }

    public Guid? IngestResourceId { get; private set; }

    public bool IngestConnected { get; private set; }

    public bool IsEnded => Volatile.Read(ref _ended) != 0;

    public string? EndReason { get; private set; }

    /// <summary>The broadcaster's WebRTC counters (packets received and lost, frames concealed…); null before WHIP.</summary>
    public PeerCounters? IngestCounters => Volatile.Read(ref _ingest)?.Counters;

    /// <summary>Frames any listener of this stream lost (queue overflow or too late), since the stream started.</summary>
    public long ListenerFramesDropped => Interlocked.Read(ref _listenerFramesDropped);

    /// <summary>Listeners whose WebRTC connection is up.</summary>
    public int ListenerCount => Volatile.Read(ref _listenerCount);

    /// <summary>Completes when both tracks have ended (after <see cref="End"/>, once the denoiser has flushed).</summary>
    public Task Completion => _processedDone.Task;

    /// <summary>The broadcaster's peer closed (hang-up, consent lapsed, failed to connect): the stream should end.</summary>
    public event Action<LiveBroadcast, PeerCloseReason>? IngestClosed;

    /// <summary>Raised with the new count whenever a listener connects or leaves.</summary>
    public event Action<LiveBroadcast, int>? ListenersChanged;

    /// <summary>Takes the stream's one ingest slot; false when a broadcaster is already attached or the stream ended.</summary>
    public bool TryAttachIngest(IngestPeer peer, Guid resourceId)
    {
        if (IsEnded || Interlocked.CompareExchange(ref _ingest, peer, null) is not null)
        {
            return false;
        }

        IngestResourceId = resourceId;
        peer.Closed += (_, e) => IngestClosed?.Invoke(this, e.Reason);
        _ = MarkConnectedAsync(peer);
        _ = Task.Run(() => RunIngestAsync(peer));
        if (IsEnded)
        {
            // Ended between the check and the attach: nobody else will close it.
            peer.Dispose();
        }

        return true;
    }

    public Listener AddListener(EgressPeer peer, Guid userId)
    {
        var subscription = Processed.Subscribe(ListenerQueueCapacity, "listener", (consumer, reason) =>
        {
            Interlocked.Increment(ref _listenerFramesDropped);
            _metrics.FrameDropped(consumer, reason);
        });
        var listener = new Listener(this, peer, subscription, userId, _options.ListenerLagTolerance, _metrics, _time, _logger);
        lock (_listenersGate)
        {
            _listeners[listener.ResourceId] = listener;
        }

        listener.Start();
        return listener;
    }

    public Listener? FindListener(Guid resourceId)
    {
        lock (_listenersGate)
        {
            return _listeners.GetValueOrDefault(resourceId);
        }
    }

    /// <summary>
    /// Marks the stream ended (true for the first caller only) and lets the audio drain: the ingest peer is closed,
    /// the denoiser flushes its tail to the processed track, then listeners and subscribers see their queues complete.
    /// </summary>
    public bool End(string reason)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return false;
        }

        EndReason = reason;
        var ingest = Volatile.Read(ref _ingest);
        if (ingest is null)
        {
            FinishTracks();
        }
        else
        {
            // Closing completes its Frames; the ingest pump then finishes the tracks.
            ingest.Dispose();
        }

        return true;
    }

    /// <summary>Frames a listener may queue: a whole denoiser output block (they come in bursts) plus a second.</summary>
    private int ListenerQueueCapacity =>
        (int)Math.Ceiling((PlannedLatency.TotalSeconds + 1.0) * MediaFrame.SampleRate / MediaFrame.Samples20Ms);

    internal int SubscriberQueueCapacity =>
        (int)Math.Ceiling(Math.Max(_options.SubscriberQueueSeconds, PlannedLatency.TotalSeconds + 1.0) * MediaFrame.SampleRate / MediaFrame.Samples20Ms);

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

    internal void OnListenerFrameLate()
    {
        Interlocked.Increment(ref _listenerFramesDropped);
        _metrics.FrameDropped("listener", "late");
    }

    internal void OnListenerConnected()
    {
        _metrics.ListenerConnected();
        ListenersChanged?.Invoke(this, Interlocked.Increment(ref _listenerCount));
    }

    internal void OnListenerLeft(Listener listener, bool wasConnected)
    {
        lock (_listenersGate)
        {
            _listeners.Remove(listener.ResourceId);
        }

        if (wasConnected)
        {
            _metrics.ListenerLeft();
            ListenersChanged?.Invoke(this, Interlocked.Decrement(ref _listenerCount));
        }
    }

    private async Task MarkConnectedAsync(IngestPeer peer)
    {
        try
        {
            await peer.WaitConnectedAsync();
            IngestConnected = true;
        }
        catch (PeerClosedException)
        {
            // IngestClosed ends the stream.
        }
    }

    private async Task RunIngestAsync(IngestPeer peer)
    {
        uint? expected = null;
        try
        {
            await foreach (var frame in peer.Frames.ReadAllAsync())
            {
                long arrival = _time.GetTimestamp();
                if (expected is uint next)
                {
                    int gap = unchecked((int)(frame.RtpTimestamp - next));
                    if (gap is > 0 and <= MaxFillSamples)
                    {
                        FillSilence(gap, arrival);
                    }
                }

                expected = unchecked(frame.RtpTimestamp + (uint)frame.Samples.Length);
                Feed(frame.Samples, arrival, isSilenceFill: false);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _logger.LogError(ex, "Ingest pump of stream {SessionId} failed", SessionId);
        }
        finally
        {
            FinishTracks();
        }
    }

    private void FillSilence(int samples, long arrival)
    {
        while (samples > 0)
        {
            int take = Math.Min(samples, Silence.Length);
            Feed(Silence.AsSpan(0, take), arrival, isSilenceFill: true);
            samples -= take;
        }
    }

    private void Feed(ReadOnlySpan<float> samples, long arrival, bool isSilenceFill)
    {
        _raw.Append(samples, arrival, isSilenceFill);
        if (Denoiser is null)
        {
            return;
        }

        // Under the gate so that the output pump, which may see these samples come out before Write returns,
        // waits for their timing record instead of missing it.
        lock (_timelineGate)
        {
            if (Denoiser.Write(samples))
            {
                _timeline.Enqueue(new Segment(samples.Length, arrival, isSilenceFill));
            }
        }
    }

    private void OnRawFrame(MediaFrame frame)
    {
        Raw.Publish(frame);
        if (Denoiser is null)
        {
            Processed.Publish(Playout.Schedule(frame));
        }
    }

    private void FinishTracks()
    {
        _raw.Flush();
        Raw.Complete();
        if (Denoiser is null)
        {
            Processed.Complete();
        }
        else
        {
            Denoiser.Complete();
        }
    }

    private async Task RunDenoisedOutputAsync()
    {
        var denoiser = Denoiser!;
        try
        {
            await foreach (var block in denoiser.Output.ReadAllAsync())
            {
                var span = block.AsSpan();
                while (!span.IsEmpty)
                {
                    Segment? segment;
                    lock (_timelineGate)
                    {
                        _timeline.TryPeek(out segment);
                    }

                    if (segment is null)
                    {
                        // Not expected: the denoiser emits exactly what it accepted. Keep the audio, lose only its timing.
                        _processed!.Append(span, _time.GetTimestamp(), isSilenceFill: false);
                        break;
                    }

                    int take = Math.Min(span.Length, segment.Remaining);
                    _processed!.Append(span[..take], segment.Arrival, segment.IsSilenceFill);
                    segment.Remaining -= take;
                    span = span[take..];
                    if (segment.Remaining == 0)
                    {
                        lock (_timelineGate)
                        {
                            _timeline.Dequeue();
                        }
                    }
                }
            }

            _processed!.Flush();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _logger.LogError(ex, "Denoised output pump of stream {SessionId} failed", SessionId);
        }
        finally
        {
            Processed.Complete();
            await denoiser.DisposeAsync();
            _processedDone.TrySetResult();
        }
    }

    private sealed class Segment(int length, long arrival, bool isSilenceFill)
    {
        public int Remaining { get; set; } = length;

        public long Arrival { get; } = arrival;

        public bool IsSilenceFill { get; } = isSilenceFill;
    }
}
