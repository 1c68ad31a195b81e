using AudioStream.Gateway.Extensions;
using StackExchange.Redis;
using Yarp.ReverseProxy.Configuration;

namespace AudioStream.Gateway.Media;

/// <summary>
/// The media nodes whose lease holds, read from the registry every <see cref="RefreshInterval"/>; the proxy's media
/// cluster gets a destination per node whenever the set of nodes or their addresses change.
/// </summary>
public sealed class MediaNodeDirectory(
    MediaRegistryReader registry, InMemoryConfigProvider proxyConfig, ILogger<MediaNodeDirectory> logger) : BackgroundService
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private string _applied = "";

    /// <summary>The nodes as last read (alive then), by id.</summary>
    public IReadOnlyDictionary<string, MediaNode> Nodes { get; private set; } = new Dictionary<string, MediaNode>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(RefreshInterval);
        do
        {
            await RefreshAsync();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Reads the registry now and gives the proxy any node it did not know.</summary>
    public async Task RefreshAsync()
    {
        await _refreshing.WaitAsync();
        try
        {
            var nodes = await registry.ReadNodesAsync();
            Nodes = nodes.ToDictionary(node => node.Id);
            var addresses = string.Join('\n', nodes.OrderBy(n => n.Id, StringComparer.Ordinal).Select(n => $"{n.Id} {n.Http}"));
            if (addresses != _applied)
            {
                proxyConfig.Update(ProxyRoutes.Routes, ProxyRoutes.ClustersWith(nodes));
                _applied = addresses;
                logger.LogInformation("Media nodes: {Nodes}", addresses.Length == 0 ? "(none registered)" : addresses.Replace('\n', ','));
            }
        }
        catch (RedisException ex)
        {
            // Routing goes on with the last picture; streams are still looked up per request.
            logger.LogWarning(ex, "Could not read the media registry");
        }
        finally
        {
            _refreshing.Release();
        }
    }
}
