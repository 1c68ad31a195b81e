using AudioStream.Gateway.Extensions;

namespace AudioStream.Gateway.Tests;

public sealed class ProxyRoutesTests
{
    [Theory]
    [InlineData("/api/identity", "identity")]
    [InlineData("/api/social", "social")]
    [InlineData("/api/presence", "presence")]
    [InlineData("/ws", "presence")]
    [InlineData("/api/media", "media")]
    [InlineData("/api/recordings", "recordings")]
    public void Every_public_area_routes_to_its_service(string prefix, string cluster)
    {
        Assert.Contains(ProxyRoutes.Routes, route => route.ClusterId == cluster && route.Match.Path == $"{prefix}/{{**rest}}");
        Assert.Contains(ProxyRoutes.Routes, route => route.ClusterId == cluster && route.Match.Path == prefix);
    }

    [Theory]
    [InlineData("identity")]
    [InlineData("social")]
    [InlineData("presence")]
    [InlineData("media")]
    [InlineData("recordings")]
    public void Each_area_health_is_rewritten_to_the_service_status_only_health(string area)
    {
        var route = Assert.Single(ProxyRoutes.Routes, r => r.Match.Path == $"/api/{area}/health");
        Assert.Equal(0, route.Order);
        Assert.Equal("/health/status", Assert.Single(route.Transforms!)["PathSet"]);
    }

    [Fact]
    public void Clusters_resolve_through_service_discovery_and_route_ids_are_unique()
    {
        Assert.All(ProxyRoutes.Clusters, cluster =>
            Assert.Equal($"http://{cluster.ClusterId}", cluster.Destinations!.Values.Single().Address));
        // Registered media nodes join the media cluster, each named in its metadata (the resolver renames destinations).
        var media = Assert.Single(ProxyRoutes.ClustersWith([new("media-2", "http://localhost:41000", false, 0, 16, true)]), c => c.ClusterId == "media");
        var node = Assert.Single(media.Destinations!.Values, d => d.Address == "http://localhost:41000");
        Assert.Equal("media-2", node.Metadata![ProxyRoutes.MediaNodeMetadata]);
        Assert.Equal(ProxyRoutes.Routes.Count, ProxyRoutes.Routes.Select(r => r.RouteId).Distinct().Count());
    }
}
