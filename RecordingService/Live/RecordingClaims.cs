using AudioStream.RecordingService.Infrastructure;
using AudioStream.RecordingService.Model;
using AudioStream.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace AudioStream.RecordingService.Live;

/// <summary>
/// Finds the recordings nobody writes and claims them through <see cref="LiveRecorder.ClaimAsync"/>, the same lease-driven
/// path a <c>stream_started</c> event takes (<see cref="MediaEventListener"/>):
/// <list type="bullet">
/// <item>every <see cref="MediaRegistryKeys.RenewInterval"/>, and first at start-up, the recordings still "recording"
/// that this instance does not write: the lease of one whose recorder died lapses, and the first instance to claim it
/// carries it on (a held lease keeps everyone else off);</item>
/// <item>every <c>Recordings:ReconcileSeconds</c> (default 15), the streams live on MediaService that have no recording:
/// pub/sub delivers <c>stream_started</c> at most once, and a recorder down at that moment would miss it (the audio
/// before the claim is not recorded).</item>
/// </list>
/// </summary>
public sealed class RecordingClaims(
    LiveRecorder recorder,
    ILiveStreamDirectory directory,
    IServiceScopeFactory scopes,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<RecordingClaims> logger) : BackgroundService
{
    public TimeSpan ReconcileInterval { get; } = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Recordings:ReconcileSeconds", 15.0)));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(MediaRegistryKeys.RenewInterval, time);
        var lastReconcile = time.GetTimestamp();
        try
        {
            do
            {
                await TryAsync(() => ClaimUnfinishedAsync(stoppingToken), "take up the unfinished recordings", stoppingToken);
                if (time.GetElapsedTime(lastReconcile) >= ReconcileInterval)
                {
                    lastReconcile = time.GetTimestamp();
                    await TryAsync(() => ClaimUnrecordedAsync(stoppingToken), "compare live streams with recordings", stoppingToken);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Claims the recordings left "recording" that this instance does not write; returns how many it took up.</summary>
    public async Task<int> ClaimUnfinishedAsync(CancellationToken cancellationToken)
    {
        List<Guid> unfinished;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RecordingDbContext>();
            unfinished = await db.Recordings.Where(r => r.Status == RecordingStatus.Recording).Select(r => r.Id).ToListAsync(cancellationToken);
        }
        int taken = 0;
        foreach (var id in unfinished.Where(id => !recorder.IsWriting(id)))
        {
            if (await recorder.ClaimAsync(id, stream: null))
            {
                taken++;
            }
        }
        return taken;
    }

    /// <summary>Claims the live streams that have no recording; returns how many it started recording.</summary>
    public async Task<int> ClaimUnrecordedAsync(CancellationToken cancellationToken)
    {
        var live = await directory.ListLiveAsync(cancellationToken);
        if (live.Count == 0)
        {
            return 0;
        }

        var ids = live.Select(s => (Guid?)s.StreamId).ToList();
        List<Guid?> recorded;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RecordingDbContext>();
            recorded = await db.Recordings.Where(r => ids.Contains(r.StreamId)).Select(r => r.StreamId).ToListAsync(cancellationToken);
        }

        int started = 0;
        foreach (var stream in live.Where(s => !recorded.Contains(s.StreamId)))
        {
            if (await recorder.ClaimAsync(stream.StreamId, stream))
            {
                logger.LogWarning("Stream {StreamId} of {Owner} was live but not being recorded (missed start event): recording from now", stream.StreamId, stream.OwnerName);
                started++;
            }
        }
        return started;
    }

    private async Task TryAsync(Func<Task> step, string what, CancellationToken stoppingToken)
    {
        try
        {
            await step();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // MediaService restarting, the database or Redis busy, a schema not migrated yet: try again next time.
            logger.LogWarning(ex, "Could not {What}", what);
        }
    }
}
