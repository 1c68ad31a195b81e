namespace AudioStream.MediaService.Live;

/// <summary>
/// Decides when listeners play each processed frame: the first frame at its arrival plus the planned delay, every
/// later one exactly its sample offset after that, so the output keeps the media's own 20 ms cadence however the
/// denoiser bunches its output. A frame ready after its planned time is released at once and the delay grows by the
/// lateness (the stream stays continuous; latency adapts upward, like a jitter buffer).
/// </summary>
/// <remarks>
/// Catch-up: when the delay is above plan and, for a whole observation window, every frame was ready at least one
/// frame plus a guard ahead of its release, the clock drops a quiet frame for listeners (never for recordings or
/// gRPC) and plays everything after it 20 ms earlier — at most one frame every 100 ms, only frames quieter than
/// −40 dBFS, so it happens in pauses. Without it, one slow inference at start-up would add to the latency for
/// the rest of the stream.
/// </remarks>
public sealed class PlayoutClock(TimeProvider time, TimeSpan plannedDelay, TimeSpan catchUpWindow)
{

    private const int MinFramesBetweenSkips = 5;
    private const float QuietRms = 0.01f; // −40 dBFS
    private static readonly TimeSpan FrameDuration = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan Guard = TimeSpan.FromMilliseconds(40);

    /// <summary>Frames whose smallest slack decides whether catching up is safe.</summary>
    private readonly int _windowFrames = Math.Max(1, (int)(catchUpWindow / FrameDuration));
    private readonly long _frameTicks = (long)(FrameDuration.TotalSeconds * time.TimestampFrequency);
    private readonly long _guardTicks = (long)(Guard.TotalSeconds * time.TimestampFrequency);
    private long? _origin;
    private long _windowMin = long.MaxValue;
    private long _lastWindowMin = long.MinValue;
    private int _windowCount;
    private int _sinceSkip = MinFramesBetweenSkips;

    public PlayoutClock(TimeProvider time, TimeSpan plannedDelay)
        : this(time, plannedDelay, CatchUpWindowFor(plannedDelay))
    {
    }

    public TimeSpan PlannedDelay { get; } = plannedDelay;

    /// <summary>
    /// How long frames must all have been early before catching up: a second, or one and a half times the denoiser's
    /// own delay when that is longer (a chunked denoiser delivers in bursts a chunk apart).
    /// </summary>
    public static TimeSpan CatchUpWindowFor(TimeSpan denoiserDelay) =>
        TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, denoiserDelay.Ticks * 3 / 2));

    /// <summary>Current delay from arrival to playout: planned plus what lateness added, less what catch-up took back.</summary>
    public TimeSpan Delay { get; private set; } = plannedDelay;

    /// <summary>Frames listeners skipped to bring the delay back towards the plan.</summary>
    public long FramesSkipped { get; private set; }

    /// <summary>Sets <see cref="MediaFrame.ReleaseTimestamp"/> (and may mark it skipped); called in order by the track's one pump.</summary>
    public MediaFrame Schedule(MediaFrame frame)
    {
        long now = time.GetTimestamp();
        long offsetTicks = (long)((double)frame.SampleOffset / MediaFrame.SampleRate * time.TimestampFrequency);
        _origin ??= frame.ArrivalTimestamp + (long)(PlannedDelay.TotalSeconds * time.TimestampFrequency) - offsetTicks;
        long release = _origin.Value + offsetTicks;
        if (release < now)
        {
            _origin += now - release;
            Delay += time.GetElapsedTime(release, now);
            release = now;
        }

        Observe(release - now);
        _sinceSkip++;
        if (Delay - FrameDuration >= PlannedDelay
            && _sinceSkip > MinFramesBetweenSkips
            && Math.Min(_lastWindowMin, _windowMin) >= _frameTicks + _guardTicks
            && IsQuiet(frame.Samples))
        {
            // Everything from here on plays one frame earlier; the slack seen so far shrinks by as much.
            _origin -= _frameTicks;
            Delay -= FrameDuration;
            _windowMin -= _frameTicks;
            _lastWindowMin -= _frameTicks;
            _sinceSkip = 0;
            FramesSkipped++;
            return frame with { ReleaseTimestamp = release, SkipForListeners = true };
        }

        return frame with { ReleaseTimestamp = release };
    }

    private void Observe(long slack)
    {
        _windowMin = Math.Min(_windowMin, slack);
        if (++_windowCount >= _windowFrames)
        {
            _lastWindowMin = _windowMin;
            _windowMin = long.MaxValue;
            _windowCount = 0;
        }
    }

    private static bool IsQuiet(float[] samples)
    {
        double sum = 0;
        foreach (var x in samples)
        {
            sum += x * x;
        }

        return samples.Length > 0 && Math.Sqrt(sum / samples.Length) < QuietRms;
    }
}
