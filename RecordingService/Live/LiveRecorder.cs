using System.Collections.Concurrent;
using System.Globalization;
using AudioStream.RecordingService.Audio;
using AudioStream.RecordingService.Infrastructure;
using AudioStream.RecordingService.Model;
using AudioStream.ServiceDefaults;
using AudioStream.ServiceDefaults.Messaging;
using AudioStream.ServiceDefaults.Rules;
using Microsoft.EntityFrameworkCore;

namespace AudioStream.RecordingService.Live;

/// <summary>What RecordingService knows about a stream when it starts (from MediaService's start event).</summary>
/// <param name="StreamId">The live session id, when the event carries it; the recording then gets the same id.</param>
/// <param name="Denoise">Whether the stream is denoised (then the original track is kept too); unknown counts as no.</param>
public sealed record StreamStart(Guid OwnerId, string OwnerName, Guid? StreamId, string? Title, bool? Denoise);

/// <summary>
/// Records live streams: one <see cref="Recording"/> row and one Ogg Opus file per track for each stream, written as the
/// audio arrives, finished when the stream ends. At start-up it repairs the recordings a crash left unfinished
/// and, where the stream is still live, takes up recording it again (the missed audio becomes silence).
/// A recording stops early, its stream going on, when it reaches one of the <see cref="RecordingLimits"/>: the
/// recording then ends cleanly and says which (<see cref="Recording.StoppedReason"/>).
/// </summary>
public sealed class LiveRecorder(
    IServiceScopeFactory scopes,
    ILiveAudioSource source,
    RecordingStorage storage,
    RecordingMetrics metrics,
    RecordingEvents events,
    RecordingLimits limits,
    TimeProvider time,
    ILogger<LiveRecorder> logger) : IHostedService, IDisposable
{
    private readonly ConcurrentDictionary<Guid, Task> _active = new();
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Recordings being written now.</summary>
    public int ActiveCount => _active.Count;

    /// <summary>Whether this recording's audio is being written here now.</summary>
    public bool IsWriting(Guid id) => _active.ContainsKey(id);

    public static string DefaultTitle(DateTimeOffset startedAt) =>
        string.Create(CultureInfo.InvariantCulture, $"Live on {startedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC");

    /// <summary>Begins recording a stream that just started; false when it is already being recorded.</summary>
    public async Task<bool> StartAsync(StreamStart stream)
    {
        var denoise = stream.Denoise ?? false;
        var recording = new Recording
        {
            Id = stream.StreamId ?? Guid.CreateVersion7(),
            StreamId = stream.StreamId,
            OwnerId = stream.OwnerId,
            OwnerName = stream.OwnerName,
            Title = TitleRule.Clip(stream.Title) ?? DefaultTitle(time.GetUtcNow()),
            Denoise = denoise,
            HasOriginal = denoise,
            CreatedAt = time.GetUtcNow(),
            SampleRate = WavFormat.DefaultSampleRate,
        };

        long otherBytes;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RecordingDbContext>();
            otherBytes = await limits.UsedByAsync(db, recording.OwnerId, recording.Id, _stopping.Token);
            if (limits.Check(otherBytes) is { } refused)
            {
                // Listed all the same, with why: the owner sees it, and the reconciler finds the stream handled.
                recording.Status = RecordingStatus.Complete;
                recording.StoppedReason = refused;
                recording.EndedAt = recording.CreatedAt;
            }
            db.Recordings.Add(recording);
            try
            {
                await db.SaveChangesAsync(_stopping.Token);
            }
            catch (DbUpdateException ex) when (ex.IsUniqueViolation())
            {
                logger.LogInformation("Stream {StreamId} is already being recorded", stream.StreamId);
                return false;
            }
        }
        if (recording.StoppedReason is { } reason)
        {
            metrics.LimitReached(reason);
            logger.LogWarning("Stream {Stream} of {Owner} goes unrecorded: {Reason}", new LiveStreamRef(stream.StreamId, stream.OwnerName), stream.OwnerName, reason);
            await events.PublishAsync(RecordingEventTypes.Finished, recording);
            return false;
        }

        var writers = new List<(RecordingTrack Track, IRecordingSink Writer)>();
        try
        {
            writers.Add((RecordingTrack.Processed, storage.CreateWriter(recording.Id, RecordingTrack.Processed, time)));
            if (recording.HasOriginal)
            {
                writers.Add((RecordingTrack.Original, storage.CreateWriter(recording.Id, RecordingTrack.Original, time)));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            writers.ForEach(w => w.Writer.Dispose());
            metrics.Started();
            await FailAsync(recording.Id, ex, 0);
            return false;
        }

        metrics.Started();
        logger.LogInformation("Recording {RecordingId}: stream {Stream} of {Owner} (denoise {Denoise}, tracks {Tracks})",
            recording.Id, new LiveStreamRef(stream.StreamId, stream.OwnerName), stream.OwnerName, denoise, writers.Count);
        Run(recording.Id, new LiveStreamRef(stream.StreamId, stream.OwnerName), writers, limits.Budget(recording.Id, otherBytes), resumed: false);
        await events.PublishAsync(RecordingEventTypes.Started, recording);
        return true;
    }

    /// <summary>Waits until every recording being written has finished (tests, shutdown).</summary>
    public Task WhenIdleAsync() => Task.WhenAll(_active.Values);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RecoverAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is DbUpdateException or Npgsql.NpgsqlException or InvalidOperationException)
        {
            // A database without the schema (not migrated yet) must not keep the service down.
            logger.LogError(ex, "Could not repair the recordings a previous run left unfinished");
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Recordings stay "recording": the files are synced, and the next start repairs them and takes up the streams still live.
        await _stopping.CancelAsync();
        await WhenIdleAsync().WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Repairs every recording a crash left unfinished, lists it as repaired, and resumes those whose stream is still live.</summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RecordingDbContext>();
        var unfinished = await db.Recordings.Where(r => r.Status == RecordingStatus.Recording).ToListAsync(cancellationToken);
        var otherBytes = new Dictionary<Guid, long>();
        foreach (var recording in unfinished.Where(r => !_active.ContainsKey(r.Id)))
        {
            try
            {
                if (recording.StreamId is not null)
                {
                    otherBytes[recording.Id] = await limits.UsedByAsync(db, recording.OwnerId, recording.Id, cancellationToken);
                    recording.StoppedReason = limits.Check(otherBytes[recording.Id] + storage.SizeOf(recording.Id));
                }
                // A stream still live is taken up again below (unless a limit forbids): leave its files open for the writer that goes on.
                var final = recording.StreamId is null || recording.StoppedReason is not null;
                var repaired = storage.Repair(recording.Id, RecordingTrack.Processed, final);
                if (recording.HasOriginal && storage.Exists(recording.Id, RecordingTrack.Original))
                {
                    storage.Repair(recording.Id, RecordingTrack.Original, final);
                }
                recording.DurationSeconds = repaired.DurationSeconds;
                recording.SizeBytes = storage.SizeOf(recording.Id);
                recording.Status = RecordingStatus.Repaired;
                recording.EndedAt = time.GetUtcNow();
                WritePeaks(recording);
                logger.LogWarning("Repaired recording {RecordingId} left unfinished: {Duration:F2} s on disk", recording.Id, repaired.DurationSeconds);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                recording.Status = RecordingStatus.Failed;
                recording.Error = Truncate($"The recording was left unfinished and could not be repaired: {ex.Message}");
                recording.EndedAt = time.GetUtcNow();
                logger.LogError(ex, "Could not repair recording {RecordingId}", recording.Id);
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        foreach (var recording in unfinished)
        {
            await events.PublishAsync(RecordingEventTypes.Finished, recording);
        }

        foreach (var recording in unfinished.Where(r => r.Status == RecordingStatus.Repaired && r.StreamId is not null && r.StoppedReason is null))
        {
            Resume(recording, limits.Budget(recording.Id, otherBytes[recording.Id]));
        }
    }

    private void Resume(Recording recording, RecordingBudget budget)
    {
        var writers = new List<(RecordingTrack, IRecordingSink)>();
        try
        {
            writers.Add((RecordingTrack.Processed, storage.Resume(recording.Id, RecordingTrack.Processed, time)));
            if (recording.HasOriginal && storage.Exists(recording.Id, RecordingTrack.Original))
            {
                writers.Add((RecordingTrack.Original, storage.Resume(recording.Id, RecordingTrack.Original, time)));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            writers.ForEach(w => w.Item2.Dispose());
            logger.LogError(ex, "Could not reopen repaired recording {RecordingId}", recording.Id);
            return;
        }
        metrics.Started();
        Run(recording.Id, new LiveStreamRef(recording.StreamId, recording.OwnerName), writers, budget, resumed: true);
    }

    private void Run(Guid id, LiveStreamRef stream, List<(RecordingTrack Track, IRecordingSink Writer)> writers, RecordingBudget budget, bool resumed)
    {
        var started = new TaskCompletionSource();
        var task = Task.Run(async () =>
        {
            await started.Task;
            try
            {
                await RecordAsync(id, stream, writers, budget, resumed);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Recording {RecordingId} stopped unexpectedly", id);
            }
            finally
            {
                _active.TryRemove(id, out _);
            }
        });
        _active[id] = task;
        started.SetResult();
    }

    private async Task RecordAsync(
        Guid id, LiveStreamRef stream, List<(RecordingTrack Track, IRecordingSink Writer)> writers, RecordingBudget budget, bool resumed)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var recorder = new TrackRecorder(source, time, logger);
        recorder.Resubscribing += metrics.Resubscribed;
        var results = await Task.WhenAll(writers.Select(async w =>
        {
            var result = await recorder.RunAsync(stream, w.Track, w.Writer, budget, failed.Token);
            if (result.Outcome is TrackOutcome.WriteFailed or TrackOutcome.LimitReached)
            {
                // One track failing or reaching a limit ends the recording: stop the other too.
                await failed.CancelAsync();
            }
            return result;
        }));

        var failure = results.FirstOrDefault(r => r.Outcome == TrackOutcome.WriteFailed)?.Error;
        foreach (var (_, writer) in writers)
        {
            try
            {
                writer.Complete();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                failure ??= ex;
                writer.Dispose();
            }
        }

        var processed = results[0];
        var silence = (double)processed.SilenceSamples / WavFormat.DefaultSampleRate;
        if (failure is not null)
        {
            await FailAsync(id, failure, silence);
            return;
        }
        if (_stopping.IsCancellationRequested)
        {
            metrics.Finished("interrupted", silence);
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RecordingDbContext>();
        var recording = await db.Recordings.SingleOrDefaultAsync(r => r.Id == id);
        if (recording is null)
        {
            storage.Delete(id);
            metrics.Finished("deleted", silence);
            return;
        }
        if (processed.Samples == 0 && !resumed && budget.Reason is null)
        {
            // The broadcaster never sent audio (e.g. never connected): nothing worth keeping.
            db.Recordings.Remove(recording);
            await db.SaveChangesAsync();
            storage.Delete(id);
            await events.PublishAsync(RecordingEventTypes.Deleted, recording);
            metrics.Finished("empty", silence);
            logger.LogInformation("Recording {RecordingId} got no audio; not kept", id);
            return;
        }

        recording.DurationSeconds = (double)processed.Samples / recording.SampleRate;
        recording.SizeBytes = storage.SizeOf(id);
        recording.SilenceSeconds += silence;
        recording.Status = resumed ? RecordingStatus.Repaired : RecordingStatus.Complete;
        recording.EndedAt = time.GetUtcNow();
        recording.StoppedReason = budget.Reason;
        if (budget.Reason is { } reason)
        {
            metrics.LimitReached(reason);
            logger.LogWarning("Recording {RecordingId} stopped at {Duration:F2} s, the stream going on: {Reason}", id, recording.DurationSeconds, reason);
        }
        if (results.FirstOrDefault(r => r.Outcome == TrackOutcome.Lost) is { } lost)
        {
            recording.Error = Truncate($"The live audio was lost before the stream ended: {lost.Error?.Message}");
        }
        WritePeaks(recording);
        await db.SaveChangesAsync();
        await events.PublishAsync(RecordingEventTypes.Finished, recording);
        metrics.Finished(RecordingResponse.StatusName(recording.Status), silence);
        logger.LogInformation("Recording {RecordingId} {Status}: {Duration:F2} s, {Silence:F2} s silence filled, {Resubscribes} resubscribe(s)",
            id, recording.Status, recording.DurationSeconds, silence, results.Sum(r => r.Resubscribes));
    }

    private async Task FailAsync(Guid id, Exception error, double silence)
    {
        metrics.WriteError();
        metrics.Finished(RecordingResponse.StatusName(RecordingStatus.Failed), silence);
        logger.LogError(error, "Recording {RecordingId} failed: the audio could not be stored; the stream goes on without it", id);
        try
        {
            // Keep what did reach the disk playable.
            storage.Repair(id, RecordingTrack.Processed);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            logger.LogDebug(ex, "Recording {RecordingId} left no usable audio", id);
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RecordingDbContext>();
        var recording = await db.Recordings.SingleOrDefaultAsync(r => r.Id == id);
        if (recording is null)
        {
            return;
        }
        recording.DurationSeconds = storage.Exists(id, RecordingTrack.Processed) ? storage.DurationOf(id, RecordingTrack.Processed) : 0;
        recording.SizeBytes = storage.SizeOf(id);
        recording.SilenceSeconds += silence;
        recording.Status = RecordingStatus.Failed;
        recording.Error = Truncate($"Storing the audio failed: {error.Message}");
        recording.EndedAt = time.GetUtcNow();
        await db.SaveChangesAsync();
        await events.PublishAsync(RecordingEventTypes.Finished, recording);
    }

    private void WritePeaks(Recording recording)
    {
        foreach (var track in recording.HasOriginal ? [RecordingTrack.Processed, RecordingTrack.Original] : new[] { RecordingTrack.Processed })
        {
            try
            {
                storage.WritePeaks(recording.Id, track);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                // The waveform is a nicety; the page draws none without it.
                logger.LogWarning(ex, "No waveform for the {Track} track of recording {RecordingId}", track, recording.Id);
            }
        }
    }

    public void Dispose() => _stopping.Dispose();

    private static string Truncate(string text) => text.Length <= 500 ? text : text[..500];
}
