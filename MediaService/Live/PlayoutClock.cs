namespace AudioStream.MediaService.Live;

/// <summary>
/// Decides when listeners play each processed frame: the first frame at its arrival plus the planned delay, every
/// later one exactly its sample offset after that, so the output keeps the media's own 20 ms cadence however the
/// denoiser bunches its output. A frame ready after its planned time is released at once and the delay grows by the
/// lateness (the stream stays continuous; latency adapts upward, like a jitter buffer).
/// </summary>
public sealed class PlayoutClock(TimeProvider time, TimeSpan plannedDelay)
{
    private long? _origin;

    public TimeSpan PlannedDelay { get; } = plannedDelay;

    /// <summary>Current delay from arrival to playout: planned plus what lateness added.</summary>
    public TimeSpan Delay { get; private set; } = plannedDelay;

    /// <summary>Sets <see cref="MediaFrame.ReleaseTimestamp"/>; called in order by the track's one pump.</summary>
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

        return frame with { ReleaseTimestamp = release };
    }
}
