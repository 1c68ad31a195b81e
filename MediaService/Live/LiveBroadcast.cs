using AudioStream.MediaService.Denoising.Streaming;
using AudioStream.MediaService.Model;
using AudioStream.MediaService.WebRtc;

namespace AudioStream.MediaService.Live;

/// <summary>
/// One broadcaster's live stream on this instance: who and what it is, its two tracks (<see cref="Raw"/>,
/// <see cref="Processed"/>) fed by the <see cref="IngestPump"/>, the playout clock listeners follow, and its
/// <see cref="Listeners"/>. Listeners and gRPC subscribers read the tracks through their own drop-oldest queues.
/// </summary>
public sealed class LiveBroadcast
{
    private readonly IngestPump _pump;
    private int _ended;
    private StreamRecordingStatus _recording = StreamRecordingStatus.Pending;

    /// <param name="signInSessionId">The broadcaster's sign-in session that started the stream; null for a stream key's.</param>
    public LiveBroadcast(
        LiveSession session, string? signInSessionId, IStreamDenoiser? denoiser, LiveOptions options, MediaMetrics metrics, TimeProvider time, ILogger logger)
    {
        SessionId = session.Id;
        SignInSessionId = signInSessionId;
        OwnerId = session.OwnerId;
        OwnerName = session.OwnerName;
        Title = session.Title;
        StartedAt = session.StartedAt;
        Denoiser = session.Denoise ? denoiser : null;
        var denoiserDelay = Denoiser?.Latency ?? TimeSpan.Zero;
        PlannedLatency = denoiserDelay + options.PlayoutMarginFor(Denoiser?.Mode);
        Playout = new PlayoutClock(time, PlannedLatency, PlayoutClock.CatchUpWindowFor(denoiserDelay));
        Raw = new FrameBroadcaster("raw");
        Processed = new FrameBroadcaster("processed");
        _pump = new IngestPump(SessionId, Denoiser, Playout, Raw, Processed, time, logger);
        var listenerQueue = (int)Math.Ceiling((PlannedLatency.TotalSeconds + 1.0) * MediaFrame.SampleRate / MediaFrame.Samples20Ms);
        Listeners = new ListenerSet(SessionId, Denoise, Processed, Denoise ? Raw : null, listenerQueue, options.ListenerLagTolerance, metrics, time, logger);
        SubscriberQueueCapacity = (int)Math.Ceiling(
            Math.Max(options.SubscriberQueueSeconds, PlannedLatency.TotalSeconds + 1.0) * MediaFrame.SampleRate / MediaFrame.Samples20Ms);
    }

    public Guid SessionId { get; }

    /// <summary>Orders the stream's announcements against its end (<see cref="LiveStreamManager"/>).</summary>
    internal Lock EventGate { get; } = new();

    public Guid OwnerId { get; }

    /// <summary>The sign-in session the page went live with: its logout ends the stream. Null when a stream key started it.</summary>
    public string? SignInSessionId { get; }

    public string OwnerName { get; }

    public string? Title { get; }

    public DateTimeOffset StartedAt { get; }

    /// <summary>The stream's denoiser; null when the stream was started with denoise off.</summary>
    public IStreamDenoiser? Denoiser { get; }

    public bool Denoise => Denoiser is not null;

    /// <summary>Arrival-to-playout delay planned for listeners: the denoiser's delay plus the playout margin.</summary>
    public TimeSpan PlannedLatency { get; }

    public PlayoutClock Playout { get; }

    /// <summary>The microphone as decoded (48 kHz mono), before denoising.</summary>
    public FrameBroadcaster Raw { get; }

    /// <summary>What listeners hear: denoised, or the raw frames when denoise is off.</summary>
    public FrameBroadcaster Processed { get; }

    public ListenerSet Listeners { get; }

    /// <summary>Queue length, in frames, a gRPC subscriber gets.</summary>
    public int SubscriberQueueCapacity { get; }

    public Guid? IngestResourceId { get; private set; }

    public bool IngestConnected { get; private set; }

    public bool IsEnded => Volatile.Read(ref _ended) != 0;

    public string? EndReason { get; private set; }

    /// <summary>Whether the stream is being recorded, as RecordingService last said; once stopped it stays stopped.</summary>
    public StreamRecordingStatus Recording => Volatile.Read(ref _recording);

    /// <summary>The broadcaster's WebRTC counters (packets received and lost, frames concealed…); null before WHIP.</summary>
    public PeerCounters? IngestCounters => _pump.Peer?.Counters;

    /// <summary>Broadcaster frames refused for running ahead of the wall clock.</summary>
    public long FramesAheadOfRealTime => _pump.FramesAheadOfRealTime;

    /// <summary>Completes when both tracks have ended (after <see cref="End"/>, once the denoiser has flushed).</summary>
    public Task Completion => _pump.Completion;

    /// <summary>The broadcaster's peer closed (hang-up, consent lapsed, failed to connect): the stream should end.</summary>
    public event Action<LiveBroadcast, PeerCloseReason>? IngestClosed;

    /// <summary>Takes the stream's one ingest slot; false when a broadcaster is already attached or the stream ended.</summary>
    public bool TryAttachIngest(IngestPeer peer, Guid resourceId)
    {
        if (IsEnded || !_pump.TryAttach(peer))
        {
            return false;
        }

        IngestResourceId = resourceId;
        peer.Closed += (_, e) => IngestClosed?.Invoke(this, e.Reason);
        _ = MarkConnectedAsync(peer);
        if (IsEnded)
        {
            // Ended between the check and the attach: nobody else will close it.
            peer.Dispose();
        }

        return true;
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
        _pump.Stop();
        return true;
    }

    /// <summary>A recorder took the stream up (unless its recording already stopped: events may cross).</summary>
    public void RecordingStarted() =>
        Interlocked.CompareExchange(ref _recording, StreamRecordingStatus.Recording, StreamRecordingStatus.Pending);

    /// <summary>The recording stopped while the stream goes on; the first reason stays.</summary>
    public void RecordingStopped(string reason, string? message)
    {
        var stopped = new StreamRecordingStatus(StreamRecordingStatus.StoppedState, reason, message);
        var seen = Recording;
        while (!seen.IsStopped)
        {
            var found = Interlocked.CompareExchange(ref _recording, stopped, seen);
            if (ReferenceEquals(found, seen))
            {
                return;
            }
            seen = found;
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
}
