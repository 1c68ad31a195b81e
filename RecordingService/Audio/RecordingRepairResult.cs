namespace AudioStream.RecordingService.Audio;

/// <summary>What repair left of a track, whatever its format.</summary>
/// <param name="Changed">False when the file was already whole.</param>
public readonly record struct RecordingRepairResult(long Samples, int SampleRate, bool Changed)
{
    public double DurationSeconds => (double)Samples / SampleRate;
}
