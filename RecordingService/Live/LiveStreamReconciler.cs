using AudioStream.RecordingService.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AudioStream.RecordingService.Live;

/// <summary>The streams live on MediaService now (its gRPC <c>ListLive</c>).</summary>
public interface ILiveStreamDirectory
{
    Task<IReadOnlyList<StreamStart>> ListLiveAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Redis pub/sub delivers <c>stream_started</c> at most once: if RecordingService was down or disconnected at that
/// moment, the stream would go unrecorded. Every <c>Recordings:ReconcileSeconds</c> (default 15) this asks MediaService
/// which streams are live and starts recording any that has no recording yet; its audio before that is not recorded.
/// </summary>
public sealed class LiveStreamReconciler(
    ILiveStreamDirectory directory,
    LiveRecorder recorder,
    IServiceScopeFactory scopes,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<LiveStreamReconciler> logger) : BackgroundService
{
    public TimeSpan Interval { get; } = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Recordings:ReconcileSeconds", 15.0)));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await ReconcileAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // MediaService restarting, the database busy: try again next time.
                    logger.LogWarning(ex, "Could not compare live streams with recordings");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Starts recording the live streams that have no recording; returns how many it started.</summary>
    public async Task<int> ReconcileAsync(CancellationToken cancellationToken)
    {
        var live = await directory.ListLiveAsync(cancellationToken);
        if (live.Count == 0)
        {
            return 0;
        }

        var ids = live.Select(s => s.StreamId).ToList();
        List<Guid?> recorded;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RecordingDbContext>();
            recorded = await db.Recordings.Where(r => ids.Contains(r.StreamId)).Select(r => r.StreamId).ToListAsync(cancellationToken);
        }

        int started = 0;
        foreach (var stream in live.Where(s => !recorded.Contains(s.StreamId)))
        {
            logger.LogWarning("Stream {StreamId} of {Owner} is live but was not being recorded (missed start event): recording from now", stream.StreamId, stream.OwnerName);
            if (await recorder.StartAsync(stream))
            {
                started++;
            }
        }

        return started;
    }
}
