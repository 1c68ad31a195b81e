using AudioStream.RecordingService.Audio;
using AudioStream.RecordingService.Infrastructure;
using AudioStream.RecordingService.Model;
using AudioStream.ServiceDefaults.Messaging;

namespace AudioStream.RecordingService.Live;

/// <summary>What taking up an unfinished recording gave: writers that go on where its files end, under its budget.</summary>
public sealed record RecordingResumption(List<(RecordingTrack Track, IRecordingSink Writer)> Writers, RecordingBudget Budget);

/// <summary>
/// Takes up a recording that a recorder left unfinished (it crashed, or lost its lease), once this instance holds the
/// recording's lease: its files are made whole, and when its stream may still be live they stay open for the writer that
/// goes on (the audio missed meanwhile becomes silence). Otherwise — no stream to follow, a limit reached, a file beyond
/// repair — the recording ends here.
/// </summary>
public sealed class RecordingRecovery(
    RecordingStorage storage,
    RecordingLimits limits,
    RecordingEvents events,
    TimeProvider time,
    ILogger<RecordingRecovery> logger)
{
    /// <returns>Writers to carry on with, or null when the recording ended here (saved and announced).</returns>
    public async Task<RecordingResumption?> TakeUpAsync(RecordingDbContext db, Recording recording, CancellationToken cancellationToken)
    {
        long otherBytes = 0;
        string? limit = null;
        if (recording.StreamId is not null)
        {
            otherBytes = await limits.UsedByAsync(db, recording.OwnerId, recording.Id, cancellationToken);
            limit = limits.Check(otherBytes + storage.SizeOf(recording.Id));
        }
        // A stream still live is taken up again (unless a limit forbids): its files stay open for the writer that goes on.
        var final = recording.StreamId is null || limit is not null;
        RecordingRepairResult repaired;
        List<(RecordingTrack Track, IRecordingSink Writer)> writers = [];
        try
        {
            repaired = storage.Repair(recording.Id, RecordingTrack.Processed, final);
            if (recording.HasOriginal && storage.Exists(recording.Id, RecordingTrack.Original))
            {
                storage.Repair(recording.Id, RecordingTrack.Original, final);
            }
            logger.LogWarning("Repaired recording {RecordingId} left unfinished: {Duration:F2} s on disk", recording.Id, repaired.DurationSeconds);
            if (!final)
            {
                writers.Add((RecordingTrack.Processed, storage.Resume(recording.Id, RecordingTrack.Processed, time)));
                if (recording.HasOriginal && storage.Exists(recording.Id, RecordingTrack.Original))
                {
                    writers.Add((RecordingTrack.Original, storage.Resume(recording.Id, RecordingTrack.Original, time)));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            writers.ForEach(w => w.Writer.Dispose());
            logger.LogError(ex, "Could not take up recording {RecordingId}", recording.Id);
            recording.Finish(RecordingStatus.Failed, recording.DurationSeconds, storage.SizeOf(recording.Id), time.GetUtcNow(),
                $"The recording was left unfinished and could not be repaired: {ex.Message}");
            await SaveAsync(db, recording, cancellationToken);
            return null;
        }

        if (final)
        {
            recording.Finish(RecordingStatus.Repaired, repaired.DurationSeconds, storage.SizeOf(recording.Id), time.GetUtcNow(), stoppedReason: limit);
            storage.WritePeaksOf(recording, logger);
            await SaveAsync(db, recording, cancellationToken);
            return null;
        }
        // Still "recording": what the page shows grows from the repaired length on.
        recording.DurationSeconds = repaired.DurationSeconds;
        recording.SizeBytes = storage.SizeOf(recording.Id);
        await db.SaveChangesAsync(cancellationToken);
        return new RecordingResumption(writers, limits.Budget(recording.Id, otherBytes));
    }

    private async Task SaveAsync(RecordingDbContext db, Recording recording, CancellationToken cancellationToken)
    {
        await db.SaveChangesAsync(cancellationToken);
        await events.PublishAsync(RecordingEventTypes.Finished, recording);
    }
}
