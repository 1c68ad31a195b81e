using System.Globalization;
using AudioStream.RecordingService.Live;

namespace AudioStream.RecordingService.Model;

/// <param name="Duration">MM:SS, H:MM:SS from an hour on.</param>
/// <param name="Status">recording, complete, repaired or failed.</param>
/// <param name="HasOriginal">The un-denoised track exists too (<c>?track=original</c>).</param>
/// <param name="StoppedReason">quota, disk-full or max-length when recording stopped while the stream went on; else null.</param>
/// <param name="StoppedMessage">That reason in a sentence for the owner.</param>
public sealed record RecordingResponse(
    Guid Id,
    string Owner,
    string Title,
    double DurationSeconds,
    string Duration,
    bool Denoise,
    DateTimeOffset CreatedAt,
    long SizeBytes,
    bool HasOriginal,
    string Status,
    int SampleRate,
    string? Error,
    string? StoppedReason,
    string? StoppedMessage)
{
    public static RecordingResponse From(Recording recording) => new(
        recording.Id,
        recording.OwnerName,
        recording.Title,
        Math.Round(recording.DurationSeconds, 3),
        FormatDuration(recording.DurationSeconds),
        recording.Denoise,
        recording.CreatedAt,
        recording.SizeBytes,
        recording.HasOriginal,
        StatusName(recording.Status),
        recording.SampleRate,
        recording.Error,
        recording.StoppedReason,
        RecordingStopReasons.Describe(recording.StoppedReason));

    public static string StatusName(RecordingStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>MM:SS, or H:MM:SS from an hour on; whole seconds, rounded down, so 59.9 s never shows as 01:00 before it is.</summary>
    public static string FormatDuration(double seconds)
    {
        var total = (long)Math.Max(0, Math.Floor(seconds));
        return total < 3600
            ? string.Create(CultureInfo.InvariantCulture, $"{total / 60:00}:{total % 60:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{total / 3600}:{total / 60 % 60:00}:{total % 60:00}");
    }
}

public sealed record RenameRecordingRequest(string? Title);
