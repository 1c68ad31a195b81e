namespace AudioStream.RecordingService.Model;

public enum RecordingStatus
{
    Recording,
    Complete,
    Repaired,
    Failed,
}

public sealed class Recording
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>The live session recorded; the recording's id is the same when the start event named it.</summary>
    public Guid? StreamId { get; init; }

    public Guid OwnerId { get; init; }

    public required string OwnerName { get; init; }

    public required string Title { get; set; }

    public bool Denoise { get; init; }

    /// <summary>Whether the un-denoised track was kept beside the processed one.</summary>
    public bool HasOriginal { get; set; }

    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.UtcNow;

    public double DurationSeconds { get; set; }

    public long SizeBytes { get; set; }

    public int SampleRate { get; init; } = 48_000;

    public RecordingStatus Status { get; private set; } = RecordingStatus.Recording;

    public string? Error { get; private set; }

    /// <summary>Why recording stopped while the stream went on (a <see cref="Live.RecordingStopReasons"/> value); null when it ran to the stream's end.</summary>
    public string? StoppedReason { get; private set; }

    /// <summary>Seconds of silence put in for audio that never arrived (a lost subscription, a restart).</summary>
    public double SilenceSeconds { get; set; }

    public DateTimeOffset? EndedAt { get; private set; }

    /// <summary>
    /// The one way a recording ends: its final status, length, size and end together. A recording ends once; what
    /// ended it is in the status (<see cref="RecordingStatus.Repaired"/>: a crash interrupted it), <paramref name="error"/>
    /// and <paramref name="stoppedReason"/>.
    /// </summary>
    public void Finish(RecordingStatus status, double durationSeconds, long sizeBytes, DateTimeOffset endedAt, string? error = null, string? stoppedReason = null)
    {
        if (status == RecordingStatus.Recording)
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "A recording ends in a final status.");
        }
        if (Status != RecordingStatus.Recording)
        {
            throw new InvalidOperationException($"Recording {Id} has already ended ({Status}).");
        }
        Status = status;
        DurationSeconds = durationSeconds;
        SizeBytes = sizeBytes;
        EndedAt = endedAt;
        Error = error is { Length: > MaxErrorLength } ? error[..MaxErrorLength] : error;
        StoppedReason = stoppedReason;
    }

    private const int MaxErrorLength = 500;
}
