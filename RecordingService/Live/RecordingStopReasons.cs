using AudioStream.RecordingService.Model;

namespace AudioStream.RecordingService.Live;

/// <summary>
/// Why a recording stopped while its stream went on: a limit (stored with the recording, in its JSON as
/// <c>stoppedReason</c>) or a failure (the recording's status says so). Recording events carry it to the stream's stats.
/// </summary>
public static class RecordingStopReasons
{
    /// <summary>The owner's recordings reached <see cref="RecordingLimitsOptions.QuotaBytesPerUser"/>.</summary>
    public const string Quota = "quota";

    /// <summary>The disk came down to <see cref="RecordingLimitsOptions.MinFreeBytes"/> free.</summary>
    public const string DiskFull = "disk-full";

    /// <summary>The recording reached <see cref="RecordingLimitsOptions.MaxHours"/>.</summary>
    public const string MaxLength = "max-length";

    /// <summary>Storing the audio failed (never stored as a reason: the recording's status is failed).</summary>
    public const string Failed = "failed";

    /// <summary>Why <paramref name="recording"/> stopped before its stream ended; null while it records or when it ran to the end.</summary>
    public static string? Of(Recording recording) =>
        recording.StoppedReason ?? (recording.Status == RecordingStatus.Failed ? Failed : null);

    /// <summary>What the owner is told (the JSON's <c>stoppedMessage</c>; the pages show it as it is).</summary>
    public static string? Describe(string? reason) => reason switch
    {
        Quota => "Recording stopped: your recordings have used up your storage quota. The stream stayed live. Delete recordings to record again.",
        DiskFull => "Recording stopped: the server is running out of disk space. The stream stayed live.",
        MaxLength => "Recording stopped: it reached the longest a recording may be. The stream stayed live.",
        Failed => "Recording stopped: the audio could not be stored. The stream stayed live.",
        null => null,
        _ => "Recording stopped before the stream ended.",
    };
}
