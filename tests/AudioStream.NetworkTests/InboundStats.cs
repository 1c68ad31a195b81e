namespace AudioStream.NetworkTests;

/// <summary>A listener's inbound-rtp counters (cumulative), as Chromium's getStats() reports them.</summary>
internal sealed record InboundStats(long PacketsReceived, double TotalAudioEnergy, double TotalSamplesDuration, double JitterBufferDelay, long JitterBufferEmittedCount)
{
    /// <summary>Mean power of what played between <paramref name="earlier"/> and this, in dBFS.</summary>
    public double LevelSinceDb(InboundStats earlier) =>
        10 * Math.Log10(Math.Max(1e-12, (TotalAudioEnergy - earlier.TotalAudioEnergy) / Math.Max(1e-9, TotalSamplesDuration - earlier.TotalSamplesDuration)));

    /// <summary>Mean time a sample waited in the jitter buffer, in ms.</summary>
    public double JitterBufferMilliseconds => JitterBufferEmittedCount == 0 ? 0 : 1000 * JitterBufferDelay / JitterBufferEmittedCount;
}
