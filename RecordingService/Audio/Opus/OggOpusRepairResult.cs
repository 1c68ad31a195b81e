namespace AudioStream.RecordingService.Audio.Opus;

/// <param name="LastGranulePosition">The last whole page's granule position (0 when no audio page survived).</param>
/// <param name="NextSequenceNumber">The page sequence number a writer taking the file up again continues with.</param>
/// <param name="Changed">False when the file was already whole.</param>
public readonly record struct OggOpusRepairResult(
    ushort PreSkip, uint SerialNumber, long LastGranulePosition, uint NextSequenceNumber, long FileBytes, bool Changed)
{
    /// <summary>Samples that play (48 kHz): the last granule position less the pre-skip.</summary>
    public long Samples => Math.Max(0, LastGranulePosition - PreSkip);

    public double DurationSeconds => (double)Samples / OggOpusWriter.SampleRate;
}
