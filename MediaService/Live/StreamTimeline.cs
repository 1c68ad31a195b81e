namespace AudioStream.MediaService.Live;

/// <summary>
/// When each 20 ms frame of a stream's timeline arrived from the broadcaster, for the last ten seconds or so, so
/// audio that comes out of the denoiser later can be timed from its sample offset alone. Offsets older than that
/// are timed from the newest frame at the media's own rate.
/// </summary>
public sealed class StreamTimeline
{
    private const int Capacity = 512;

    private readonly long[] _frames = Enumerable.Repeat(-1L, Capacity).ToArray();
    private readonly long[] _arrivals = new long[Capacity];
    private readonly long _ticksPerFrame;
    private readonly Lock _gate = new();
    private long _newestFrame = -1;

    public StreamTimeline(TimeProvider time) =>
        _ticksPerFrame = (long)((double)MediaFrame.Samples20Ms / MediaFrame.SampleRate * time.TimestampFrequency);

    /// <summary>Notes the arrival of the raw frame starting at <paramref name="sampleOffset"/>.</summary>
    public void Record(long sampleOffset, long arrival)
    {
        var frame = sampleOffset / MediaFrame.Samples20Ms;
        lock (_gate)
        {
            _frames[frame % Capacity] = frame;
            _arrivals[frame % Capacity] = arrival;
            _newestFrame = Math.Max(_newestFrame, frame);
        }
    }

    /// <summary>When the raw frame holding <paramref name="sampleOffset"/> arrived (estimated when no longer kept).</summary>
    public long ArrivalOf(long sampleOffset, long fallback)
    {
        var frame = sampleOffset / MediaFrame.Samples20Ms;
        lock (_gate)
        {
            if (_frames[frame % Capacity] == frame)
            {
                return _arrivals[frame % Capacity];
            }

            return _newestFrame < 0 ? fallback : _arrivals[_newestFrame % Capacity] - (_newestFrame - frame) * _ticksPerFrame;
        }
    }
}
