namespace AudioStream.RecordingService.Live;

/// <summary>What one user's recordings may take (section <c>Recordings</c>, beside the storage settings).</summary>
public sealed class RecordingLimitsOptions
{
    public const string SectionName = "Recordings";

    /// <summary>Bytes all of one user's recordings may take together; a stream that would pass it goes on unrecorded.</summary>
    public long QuotaBytesPerUser { get; set; } = 5L << 30;

    /// <summary>Free bytes the recordings' disk keeps; below it recording stops (the streams go on).</summary>
    public long MinFreeBytes { get; set; } = 1L << 30;

    /// <summary>Longest recording, in hours; a stream live longer goes on unrecorded after it.</summary>
    public double MaxHours { get; set; } = 12;
}
