using System.Collections.Concurrent;
using AudioStream.ServiceDefaults.Messaging;
using StackExchange.Redis;

namespace AudioStream.MediaService.Live;

/// <summary>
/// Tells the other services which live streams this node holds: <see cref="MediaRegistryKeys.StreamSession"/> names
/// this node while the stream is live here, extended every <see cref="MediaRegistryKeys.RenewInterval"/>, deleted at
/// its end. A node that dies stops extending, so its streams' keys lapse within <see cref="MediaRegistryKeys.Lease"/>
/// (recorders then end their recordings with what arrived).
/// </summary>
public sealed class StreamLease(IConnectionMultiplexer redis, TimeProvider time, ILogger<StreamLease> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<Guid, bool> held = new();

    /// <summary>This process among the media nodes.</summary>
    public string NodeId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}";

    public async Task HoldAsync(Guid sessionId)
    {
        held[sessionId] = true;
        await TryAsync(database => database.TryTakeAsync(MediaRegistryKeys.StreamSession(sessionId), NodeId, MediaRegistryKeys.Lease), sessionId);
    }

    public async Task ReleaseAsync(Guid sessionId)
    {
        if (held.TryRemove(sessionId, out _))
        {
            await TryAsync(database => database.ReleaseAsync(MediaRegistryKeys.StreamSession(sessionId), NodeId), sessionId);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(MediaRegistryKeys.RenewInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await Task.WhenAll(held.Keys.Select(id =>
                    TryAsync(database => database.TryExtendAsync(MediaRegistryKeys.StreamSession(id), NodeId, MediaRegistryKeys.Lease), id)));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task TryAsync(Func<IDatabaseAsync, Task<bool>> step, Guid sessionId)
    {
        try
        {
            await step(redis.GetDatabase());
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Next renewal tries again; until then a recorder may think the stream lost only if its audio also stopped.
            logger.LogWarning(ex, "Could not update the lease of stream {SessionId}", sessionId);
        }
    }
}
