using AudioStream.MediaService.Denoising.Onnx;
using AudioStream.MediaService.Live;
using AudioStream.MediaService.WebRtc;
using AudioStream.ServiceDefaults.Messaging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Fields = AudioStream.ServiceDefaults.Messaging.MediaRegistryKeys.NodeFields;

namespace AudioStream.MediaService.Nodes;

/// <summary>
/// This node in the media registry: every <see cref="MediaRegistryKeys.RenewInterval"/> it renews its entry and its
/// streams' leases, and sweeps nodes whose lease lapsed (one node at a time, under <see cref="MediaRegistryKeys.Sweep"/>):
/// their streams end <c>node-lost</c>, announced like any end. A node that finds its own lease had lapsed was declared
/// lost (a pause, a partition): the streams whose keys it no longer holds end here too, so none lives on twice.
/// On SIGTERM it drains: the entry says <c>draining</c> (the gateway places no new stream here) and live streams go on
/// until they end or <see cref="MediaNodeOptions.DrainDeadline"/>, while requests are still served.
/// </summary>
public sealed class MediaNodeRegistry(
    MediaNodeLeases leases,
    LiveStreamManager streams,
    IServiceProvider services,
    IOptions<MediaNodeOptions> options,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<MediaNodeRegistry> logger) : BackgroundService, IHostedLifecycleService
{
    private static readonly TimeSpan SweepHold = MediaRegistryKeys.Lease;

    private readonly MediaNodeOptions _options = options.Value;
    private bool _registered;

    public string NodeId => leases.NodeId;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(MediaRegistryKeys.RenewInterval, time);
        do
        {
            try
            {
                await RenewAsync();
                await SweepLostNodesAsync(stoppingToken);
            }
            catch (RedisException ex)
            {
                // Leases lapse only after three missed renewals; the next tick tries again.
                logger.LogWarning(ex, "Could not renew node {Node} in the media registry", NodeId);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Renews this node's entry and its streams' leases, ending streams it turns out not to hold any more.</summary>
    internal async Task RenewAsync()
    {
        var live = streams.Streams.Where(s => !s.IsEnded).ToList();
        var held = await leases.HeartbeatAsync(Describe(live.Count));
        var lapsed = _registered && !held;
        _registered = true;
        if (lapsed)
        {
            logger.LogWarning("Node {Node}'s lease had lapsed: it may have been declared lost", NodeId);
        }

        var stillHeld = await leases.ExtendStreamsAsync([.. live.Select(s => (s.SessionId, s.OwnerName))], reclaimAbsent: !lapsed);
        for (var i = 0; i < live.Count; i++)
        {
            if (!stillHeld[i])
            {
                logger.LogWarning("Stream {SessionId} is no longer held by node {Node} in the registry", live[i].SessionId, NodeId);
                await streams.EndAsync(live[i], LiveStreamManager.ReasonNodeLost);
            }
        }
    }

    private async Task SweepLostNodesAsync(CancellationToken cancellationToken)
    {
        var lost = await leases.FindLostNodesAsync();
        if (lost.Length == 0 || !await leases.TryTakeSweepAsync(SweepHold))
        {
            return;
        }
        try
        {
            foreach (var lostNode in lost.Where(id => id != NodeId))
            {
                var ended = await streams.EndLostNodeStreamsAsync(lostNode, cancellationToken);
                await leases.ForgetLostNodeAsync(lostNode);
                logger.LogWarning("Media node {LostNode} was lost; node {Node} ended its {Count} stream(s)", lostNode, NodeId, ended);
            }
        }
        finally
        {
            await leases.ReleaseSweepAsync();
        }
    }

    private MediaNodeRecord Describe(int liveStreams)
    {
        var engine = services.GetRequiredService<DeepFilterNetEngine>();
        return new MediaNodeRecord(
            NodeId,
            _options.HttpAddress ?? KestrelUrl("http"),
            _options.GrpcAddress ?? KestrelUrl("grpc"),
            UdpAddress(services.GetRequiredService<WebRtcEndpoint>()),
            engine.Provider == ExecutionProvider.Cuda ? Fields.KindGpu : Fields.KindCpu,
            liveStreams,
            _options.MaxStreams,
            streams.Draining ? Fields.StateDraining : Fields.StateServing);
    }

    private string KestrelUrl(string endpoint) => configuration[$"Kestrel:Endpoints:{endpoint}:Url"] ?? "";

    /// <summary>What a browser is offered first (an advertised address), else the bound socket.</summary>
    private static string UdpAddress(WebRtcEndpoint endpoint) =>
        endpoint.GetHostCandidates().FirstOrDefault(c => c.Transport == WebRtc.Ice.IceCandidate.TransportUdp) is { } candidate
            ? $"{candidate.Address}:{candidate.Port}"
            : endpoint.LocalEndPoint.ToString();

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Runs before any service stops (the web server included), so the gateway still reaches this node's live streams
    /// (stats, listeners, stop) while they drain.
    /// </summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        streams.Draining = true;
        var deadline = time.GetUtcNow() + _options.DrainDeadline;
        logger.LogInformation("Node {Node} draining: no new streams; {Count} live stream(s) go on for up to {Seconds} s",
            NodeId, streams.Streams.Count, _options.DrainDeadline.TotalSeconds);
        try
        {
            await RenewAsync();
            while (streams.Streams.Count > 0 && time.GetUtcNow() < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is RedisException or OperationCanceledException)
        {
            logger.LogWarning(ex, "Node {Node} stopped draining early", NodeId);
        }
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>After the remaining streams ended (LiveStreamManager stops after this), the node leaves the registry.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        foreach (var stream in streams.Streams)
        {
            await streams.EndAsync(stream, LiveStreamManager.ReasonServiceStopped);
        }
        try
        {
            await leases.DeregisterAsync();
        }
        catch (RedisException ex)
        {
            logger.LogWarning(ex, "Node {Node} could not leave the registry; its entry lapses by itself", NodeId);
        }
    }
}
