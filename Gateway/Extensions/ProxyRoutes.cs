using AudioStream.Gateway.Media;
using AudioStream.ServiceDefaults;
using Yarp.ReverseProxy.Configuration;

namespace AudioStream.Gateway.Extensions;

/// <summary>
/// The public API surface (../shared/design/API.md) mapped onto the services. Each service serves its routes under
/// its own prefix, so paths pass through unchanged; only <c>/api/{area}/health</c> is rewritten, to the service's
/// status-only health (its detailed <c>/health</c> is for operators and stays internal).
/// </summary>
internal static class ProxyRoutes
{
    /// <summary>Cluster name = the service's AppHost resource name, resolved by service discovery.</summary>
    private static readonly (string Cluster, string[] Prefixes)[] Areas =
    [
        ("identity", ["/api/identity"]),
        ("social", ["/api/social"]),
        ("presence", ["/api/presence", "/ws"]),
        (MediaCluster, ["/api/media"]),
        ("recordings", ["/api/recordings"]),
    ];

    public static IReadOnlyList<RouteConfig> Routes { get; } = BuildRoutes();

    /// <summary>The media cluster: its destinations are the registered media nodes (<see cref="MediaNodeDirectory"/>).</summary>
    public const string MediaCluster = "media";

    /// <summary>Destination metadata naming the media node a destination is (the resolver renames destinations).</summary>
    public const string MediaNodeMetadata = "media-node";

    /// <summary>Each service's destination by service discovery; no media node registered yet.</summary>
    public static IReadOnlyList<ClusterConfig> Clusters { get; } = ClustersWith([]);

    /// <summary>
    /// The clusters with a destination per registered media node beside the service-discovery one, which stays as the
    /// fallback for a registry that names no node (MediaNodeRouting picks one per request).
    /// </summary>
    public static IReadOnlyList<ClusterConfig> ClustersWith(IReadOnlyCollection<MediaNode> mediaNodes) => Areas
        .Select(area =>
        {
            var destinations = new Dictionary<string, DestinationConfig>
            {
                ["default"] = new() { Address = $"http://{area.Cluster}" },
            };
            if (area.Cluster == MediaCluster)
            {
                foreach (var node in mediaNodes)
                {
                    destinations[$"node-{node.Id}"] = new()
                    {
                        Address = node.Http,
                        Metadata = new Dictionary<string, string> { [MediaNodeMetadata] = node.Id },
                    };
                }
            }
            return new ClusterConfig
            {
                ClusterId = area.Cluster,
                Destinations = destinations,
                // Media answers take milliseconds; a hung node (its lease not lapsed yet) must not hold a request 100 s.
                HttpRequest = area.Cluster == MediaCluster ? new() { ActivityTimeout = TimeSpan.FromSeconds(10) } : null,
            };
        })
        .ToList();

    private static List<RouteConfig> BuildRoutes()
    {
        var routes = new List<RouteConfig>();
        foreach (var (cluster, prefixes) in Areas)
        {
            routes.Add(new RouteConfig
            {
                RouteId = $"{cluster}-health",
                ClusterId = cluster,
                Order = 0,
                Match = new RouteMatch { Path = $"{prefixes[0]}/health" },
                Transforms = [new Dictionary<string, string> { ["PathSet"] = HostingExtensions.PublicHealthPath }],
            });
            foreach (var prefix in prefixes)
            {
                var name = prefix.Trim('/').Replace('/', '-');
                routes.Add(new RouteConfig
                {
                    RouteId = $"{cluster}-{name}-root",
                    ClusterId = cluster,
                    Order = 1,
                    Match = new RouteMatch { Path = prefix },
                });
                routes.Add(new RouteConfig
                {
                    RouteId = $"{cluster}-{name}",
                    ClusterId = cluster,
                    Order = 1,
                    Match = new RouteMatch { Path = $"{prefix}/{{**rest}}" },
                });
            }
        }
        return routes;
    }
}
