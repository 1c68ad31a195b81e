namespace AudioStream.RecordingService.Live;

/// <summary>Why a recording stopped while its stream went on (stored with the recording, in its JSON as <c>stoppedReason</c>).</summary>
public static class RecordingStopReasons
{
    /// <summary>The owner's recordings reached <see cref="RecordingLimitsOptions.QuotaBytesPerUser"/>.</summary>
    public const string Quota = "quota";

    /// <summary>The disk came down to <see cref="RecordingLimitsOptions.MinFreeBytes"/> free.</summary>
    public const string DiskFull = "disk-full";

    /// <summary>The recording reached <see cref="RecordingLimitsOptions.MaxHours"/>.</summary>
    public const string MaxLength = "max-length";

    /// <summary>What the owner is told (the JSON's <c>stoppedMessage</c>; the pages show it as it is).</summary>
    public static string? Describe(string? reason) => reason switch
    {
        Quota => "Recording stopped: your recordings have used up your storage quota. The stream stayed live. Delete recordings to record again.",
        DiskFull => "Recording stopped: the server is running out of disk space. The stream stayed live.",
        MaxLength => "Recording stopped: it reached the longest a recording may be. The stream stayed live.",
        null => null,
        _ => "Recording stopped before the stream ended.",
    };
}
