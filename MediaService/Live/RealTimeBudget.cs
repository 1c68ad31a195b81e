namespace AudioStream.MediaService.Live;

/// <summary>
/// Keeps a stream's timeline from running ahead of the wall clock. The timeline follows the sender's RTP timestamps
/// (gaps become silence), so without this a sender could advance its timestamps faster than time passes and have the
/// server fill, denoise and record hours of audio in seconds. From the first admitted sample on, the timeline may lead
/// the time elapsed by at most <see cref="Allowance"/> (bursts from a sender's jitter or a late first packet); silence
/// fill is cut to what fits, and whole frames that do not fit are dropped and counted. A sender whose clock runs
/// slightly fast (tens of ppm) reaches the allowance only after hours and then loses one frame now and then.
/// </summary>
public sealed class RealTimeBudget(TimeProvider time)
{
    /// <summary>How far the timeline may lead the wall clock.</summary>
    public static readonly TimeSpan Allowance = TimeSpan.FromSeconds(1);

    private static readonly long AllowanceSamples = (long)(Allowance.TotalSeconds * MediaFrame.SampleRate);

    private long _start = -1;
    private long _admitted;
    private long _droppedSamples;

    /// <summary>Samples refused for running ahead of the wall clock (dropped frames and silence not filled).</summary>
    public long DroppedSamples => Interlocked.Read(ref _droppedSamples);

    /// <summary>How many of <paramref name="gapSamples"/> of silence fit now; those are counted as admitted.</summary>
    public int AdmitSilence(int gapSamples)
    {
        int fits = (int)Math.Clamp(Available(), 0, gapSamples);
        _admitted += fits;
        Interlocked.Add(ref _droppedSamples, gapSamples - fits);
        return fits;
    }

    /// <summary>Whether a frame of <paramref name="samples"/> fits now; a frame that does not is dropped whole.</summary>
    public bool TryAdmit(int samples)
    {
        if (Available() < samples)
        {
            Interlocked.Add(ref _droppedSamples, samples);
            return false;
        }

        _admitted += samples;
        return true;
    }

    private long Available()
    {
        long now = time.GetTimestamp();
        if (_start < 0)
        {
            _start = now;
        }

        long elapsed = (long)(time.GetElapsedTime(_start, now).TotalSeconds * MediaFrame.SampleRate);
        return elapsed + AllowanceSamples - _admitted;
    }
}
