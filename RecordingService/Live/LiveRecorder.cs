using System.Collections.Concurrent;
using System.Globalization;
using AudioStream.RecordingService.Audio;
using AudioStream.RecordingService.Infrastructure;
using AudioStream.RecordingService.Model;
using AudioStream.ServiceDefaults;
using AudioStream.ServiceDefaults.Messaging;
using AudioStream.ServiceDefaults.Rules;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace AudioStream.RecordingService.Live;

/// <summary>What RecordingService knows about a live stream (from MediaService's start event or its list of live streams).</summary>
/// <param name="StreamId">The live session id; the recording gets the same id.</param>
/// <param name="Denoise">Whether the stream is denoised (then the original track is kept too); unknown counts as no.</param>
public sealed record StreamStart(Guid OwnerId, string OwnerName, Guid StreamId, string? Title, bool? Denoise);

/// <summary>
/// Records live streams: one <see cref="Recording"/> row and one Ogg Opus file per track for each stream, written as the
/// audio arrives, finished when the stream ends. Whichever instance holds a stream's <see cref="RecordingLeases">lease</see>
/// records it: <see cref="ClaimAsync"/> is the one way a recording begins or is taken up again (after a crash, or from an
/// instance that died), and this instance extends its leases for as long as it writes. A recording stops early, its
/// stream going on, when it reaches one of the <see cref="RecordingLimits"/>; it ends with what arrived when its stream
/// is lost (the subscription went quiet and no media node holds the stream any more).
/// </summary>
public sealed class LiveRecorder(
    IServiceScopeFactory scopes,
    ILiveAudioSource source,
    RecordingStorage storage,
    RecordingMetrics metrics,
    RecordingEvents events,
    RecordingLimits limits,
    RecordingLeases leases,
    RecordingRecovery recovery,
    TimeProvider time,
    ILogger<LiveRecorder> logger) : IHostedService, IDisposable
{
    /// <summary>How often a quiet recording looks whether its stream still has a node.</summary>
    public static readonly TimeSpan StreamCheckInterval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<Guid, RecordingRun> _active = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task _keeping = Task.CompletedTask;

    /// <summary>Recordings being written now.</summary>
    public int ActiveCount => _active.Count;

    /// <summary>Whether this recording's audio is being written here now.</summary>
    public bool IsWriting(Guid id) => _active.ContainsKey(id);

    public static string DefaultTitle(DateTimeOffset startedAt) =>
        string.Create(CultureInfo.InvariantCulture, $"Live on {startedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC");

    /// <summary>
    /// Records the recording <paramref name="id"/> (a stream's session id) if this instance wins its lease: a new
    /// recording of <paramref name="stream"/> when there is none yet, the unfinished one taken up where its files end,
    /// nothing when it has ended. False when it is not being written here.
    /// </summary>
    public async Task<bool> ClaimAsync(Guid id, StreamStart? stream)
    {
        var run = new RecordingRun(id, time.GetUtcNow());
        if (_stopping.IsCancellationRequested || !_active.TryAdd(id, run))
        {
            run.Dispose();
            return false;
        }
        var writing = false;
        try
        {
            writing = await leases.TryTakeAsync(id) && await BeginAsync(run, stream);
            return writing;
        }
        finally
        {
            if (!writing)
            {
                _active.TryRemove(id, out _);
                run.Dispose();
                await ReleaseAsync(id);
            }
        }
    }

    /// <summary>Waits until every recording being written has finished (tests, shutdown).</summary>
    public Task WhenIdleAsync() => Task.WhenAll(_active.Values.Select(r => r.Completion));

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _keeping = KeepLeasesAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Recordings stay "recording": the files are synced and the leases released, so the next instance to claim them carries on.
        await _stopping.CancelAsync();
        await WhenIdleAsync().WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _keeping.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Extends this instance's leases; a recording whose lease went elsewhere stops here (its new holder carries on).</summary>
    public async Task RenewLeasesAsync()
    {
        var runs = _active.Values.ToList();
        if (runs.Count == 0)
        {
            return;
        }
        var now = time.GetUtcNow();
        IReadOnlyList<Guid> lost;
        try
        {
            lost = await leases.RenewAsync(runs.Select(r => r.Id));
            foreach (var run in runs.Where(r => !lost.Contains(r.Id)))
            {
                run.LeaseRenewedAt = now;
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Redis unreachable: keep writing while the lease may still be ours; beyond that another instance may have it.
            logger.LogWarning(ex, "Could not renew the recording leases");
            lost = [];
        }
        foreach (var run in runs.Where(r => lost.Contains(r.Id) || now - r.LeaseRenewedAt >= MediaRegistryKeys.Lease))
        {
            logger.LogWarning("Recording {RecordingId}: this instance no longer holds the lease; stopping here", run.Id);
            run.Stop(RecordingRunStop.LeaseLost);
        }
    }

    /// <summary>Ends the recordings whose stream is lost: no audio since the last look, and no media node holds the stream.</summary>
    public async Task CheckStreamsAsync()
    {
        foreach (var run in _active.Values.Where(r => r.WentQuiet()).ToList())
        {
            try
            {
                if (!await leases.IsStreamOnANodeAsync(run.Id))
                {
                    logger.LogWarning("Recording {RecordingId}: the stream's node is gone; ending with the audio received", run.Id);
                    run.Stop(RecordingRunStop.StreamLost);
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // Unknown is not lost: the subscription's own retries decide.
                logger.LogDebug(ex, "Could not look whether stream {StreamId} is still held", run.Id);
            }
        }
    }

    private async Task KeepLeasesAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(StreamCheckInterval, time);
        var lastRenewal = time.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (time.GetElapsedTime(lastRenewal) >= MediaRegistryKeys.RenewInterval - StreamCheckInterval / 2)
                {
                    lastRenewal = time.GetTimestamp();
                    await RenewLeasesAsync();
                }
                await CheckStreamsAsync();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task<bool> BeginAsync(RecordingRun run, StreamStart? stream)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RecordingDbContext>();
        var recording = await db.Recordings.SingleOrDefaultAsync(r => r.Id == run.Id, _stopping.Token);
        if (recording is null)
        {
            return stream is not null && await StartNewAsync(db, run, stream);
        }
        if (recording.Status != RecordingStatus.Recording)
        {
            return false;
        }

        var resumption = await recovery.TakeUpAsync(db, recording, _stopping.Token);
        if (resumption is null)
        {
            return false;
        }
        metrics.Started();
        logger.LogInformation("Recording {RecordingId}: taking up stream {Stream} of {Owner} where its files end",
            recording.Id, recording.StreamId, recording.OwnerName);
        Run(run, new LiveStreamRef(recording.StreamId, recording.OwnerName), resumption.Writers, resumption.Budget, resumed: true);
        return true;
    }

    private async Task<bool> StartNewAsync(RecordingDbContext db, RecordingRun run, StreamStart stream)
    {
        var denoise = stream.Denoise ?? false;
        var recording = new Recording
        {
            Id = stream.StreamId,
            StreamId = stream.StreamId,
            OwnerId = stream.OwnerId,
            OwnerName = stream.OwnerName,
            Title = TitleRule.Clip(stream.Title) ?? DefaultTitle(time.GetUtcNow()),
            Denoise = denoise,
            HasOriginal = denoise,
            CreatedAt = time.GetUtcNow(),
            SampleRate = WavFormat.DefaultSampleRate,
        };

        var otherBytes = await limits.UsedByAsync(db, recording.OwnerId, recording.Id, _stopping.Token);
        if (limits.Check(otherBytes) is { } refused)
        {
            // Listed all the same, with why: the owner sees it, and nobody claims the stream again.
            recording.Finish(RecordingStatus.Complete, 0, 0, recording.CreatedAt, stoppedReason: refused);
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
        var streamRef = new LiveStreamRef(stream.StreamId, stream.OwnerName);
        if (recording.StoppedReason is { } reason)
        {
            metrics.LimitReached(reason);
            logger.LogWarning("Stream {Stream} of {Owner} goes unrecorded: {Reason}", streamRef, stream.OwnerName, reason);
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
            recording.Id, streamRef, stream.OwnerName, denoise, writers.Count);
        Run(run, streamRef, writers, limits.Budget(recording.Id, otherBytes), resumed: false);
        await events.PublishAsync(RecordingEventTypes.Started, recording);
        return true;
    }

    private void Run(RecordingRun run, LiveStreamRef stream, List<(RecordingTrack Track, IRecordingSink Writer)> writers, RecordingBudget budget, bool resumed)
    {
        run.Progress = writers[0].Writer;
        run.Completion = Task.Run(async () =>
        {
            try
            {
                await RecordAsync(run, stream, writers, budget, resumed);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Recording {RecordingId} stopped unexpectedly", run.Id);
            }
            finally
            {
                _active.TryRemove(run.Id, out _);
                run.Dispose();
                await ReleaseAsync(run.Id);
            }
        });
    }

    private async Task RecordAsync(
        RecordingRun run, LiveStreamRef stream, List<(RecordingTrack Track, IRecordingSink Writer)> writers, RecordingBudget budget, bool resumed)
    {
        var id = run.Id;
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, run.Stopped);
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

        var processed = results[0];
        var silence = (double)processed.SilenceSamples / WavFormat.DefaultSampleRate;
        if (run.StopReason == RecordingRunStop.LeaseLost)
        {
            // The files are the new holder's now: leave them exactly as they are.
            writers.ForEach(w => w.Writer.Dispose());
            metrics.Finished("handed-over", silence);
            return;
        }

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

        if (budget.Reason is { } reason)
        {
            metrics.LimitReached(reason);
            logger.LogWarning("Recording {RecordingId} stopped at {Duration:F2} s, the stream going on: {Reason}",
                id, (double)processed.Samples / recording.SampleRate, reason);
        }
        var lost = results.FirstOrDefault(r => r.Outcome == TrackOutcome.Lost);
        recording.SilenceSeconds += silence;
        recording.Finish(
            resumed ? RecordingStatus.Repaired : RecordingStatus.Complete,
            (double)processed.Samples / recording.SampleRate,
            storage.SizeOf(id),
            time.GetUtcNow(),
            lost is null ? null : $"The live audio was lost before the stream ended: {lost.Error?.Message}",
            budget.Reason);
        storage.WritePeaksOf(recording, logger);
        await db.SaveChangesAsync();
        await events.PublishAsync(RecordingEventTypes.Finished, recording);
        metrics.Finished(RecordingResponse.StatusName(recording.Status), silence);
        logger.LogInformation("Recording {RecordingId} {Status}: {Duration:F2} s, {Silence:F2} s silence filled, {Resubscribes} resubscribe(s){StreamLost}",
            id, recording.Status, recording.DurationSeconds, silence, results.Sum(r => r.Resubscribes),
            run.StopReason == RecordingRunStop.StreamLost ? ", stream lost with its node" : "");
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
        recording.SilenceSeconds += silence;
        recording.Finish(
            RecordingStatus.Failed,
            storage.Exists(id, RecordingTrack.Processed) ? storage.DurationOf(id, RecordingTrack.Processed) : 0,
            storage.SizeOf(id),
            time.GetUtcNow(),
            $"Storing the audio failed: {error.Message}");
        await db.SaveChangesAsync();
        await events.PublishAsync(RecordingEventTypes.Finished, recording);
    }

    private async Task ReleaseAsync(Guid id)
    {
        try
        {
            await leases.ReleaseAsync(id);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // It lapses by itself within the lease's lifetime.
            logger.LogDebug(ex, "Could not release the lease of recording {RecordingId}", id);
        }
    }

    public void Dispose() => _stopping.Dispose();
}
