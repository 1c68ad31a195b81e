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
        ("media", ["/api/media"]),
        ("recordings", ["/api/recordings"]),
    ];

    public static IReadOnlyList<RouteConfig> Routes { get; } = BuildRoutes();

    public static IReadOnlyList<ClusterConfig> Clusters { get; } = Areas
        .Select(area => new ClusterConfig
        {
            ClusterId = area.Cluster,
            Destinations = new Dictionary<string, DestinationConfig>
            {
                ["default"] = new() { Address = $"http://{area.Cluster}" },
            },
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
