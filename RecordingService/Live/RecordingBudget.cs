namespace AudioStream.RecordingService.Live;

/// <summary>
/// One recording's share of the <see cref="RecordingLimits"/>, shared by its tracks. Its length is held to
/// <see cref="MaxSamples"/> exactly (the chunk that crosses it is cut there); its owner's quota and the disk's free
/// space are looked at every <see cref="RecordingLimits.CheckInterval"/>, so a recording passes them by at most that
/// much audio. The first limit reached is kept: every track stops on it.
/// </summary>
public sealed class RecordingBudget
{
    private readonly RecordingLimits _limits;
    private readonly Func<long> _bytesWritten;
    private readonly long _otherBytes;
    private readonly TimeProvider _time;
    private readonly long _checkEvery;
    private long _nextCheck;
    private string? _reason;

    /// <param name="bytesWritten">The recording's bytes on disk now.</param>
    /// <param name="otherBytes">What its owner's other recordings take.</param>
    public RecordingBudget(RecordingLimits limits, long maxSamples, Func<long> bytesWritten, long otherBytes, TimeProvider time)
    {
        _limits = limits;
        _bytesWritten = bytesWritten;
        _otherBytes = otherBytes;
        _time = time;
        MaxSamples = maxSamples;
        _checkEvery = (long)(RecordingLimits.CheckInterval.TotalSeconds * time.TimestampFrequency);
        // The recording was checked as it started: the first look is one interval on.
        _nextCheck = time.GetTimestamp() + _checkEvery;
    }

    public long MaxSamples { get; }

    /// <summary>The limit reached (a <see cref="RecordingStopReasons"/> value), or null while there is room.</summary>
    public string? Reason => Volatile.Read(ref _reason);

    /// <summary>How many of <paramref name="samples"/> placed at <paramref name="sampleOffset"/> fit within the length limit.</summary>
    public int SamplesThatFit(long sampleOffset, int samples) => (int)Math.Clamp(MaxSamples - sampleOffset, 0, samples);

    /// <summary>The quota and free-space floor, when one interval has passed since the last look; the limit reached, or null.</summary>
    public string? CheckStorage()
    {
        if (Reason is { } reached)
        {
            return reached;
        }
        var now = _time.GetTimestamp();
        var due = Interlocked.Read(ref _nextCheck);
        // One track looks; the other goes on writing.
        if (now < due || Interlocked.CompareExchange(ref _nextCheck, now + _checkEvery, due) != due)
        {
            return null;
        }
        try
        {
            return _limits.Check(_otherBytes + _bytesWritten()) is { } found ? Stop(found) : null;
        }
        catch (IOException)
        {
            // A file gone between its existence check and its size: look again next time.
            return null;
        }
    }

    /// <summary>Records that a limit was reached; the first one stays.</summary>
    public string Stop(string limit) => Interlocked.CompareExchange(ref _reason, limit, null) ?? limit;
}
