using AudioStream.AppHost.Infrastructure;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AudioStream.AppHost;

/// <summary>
/// <c>Media:Nodes</c> (default 1) MediaService resources, each a media node of its own on the dashboard: <c>media</c>,
/// <c>media-2</c>, … Each registers itself in Redis under its resource name (MediaService's MediaNodeRegistry) with its
/// own HTTP and gRPC addresses, its own WebRTC ports and its own GPU (<c>Denoiser:CudaDeviceId</c>). A node that crashes
/// is started again (<see cref="CrashedNodeRestarter"/>) and ends the streams it had.
/// </summary>
internal static class MediaNodes
{
    /// <summary>The name callers address every node by (service tokens' audience), whatever the resource is called.</summary>
    public const string ServiceName = "media";

    public static IReadOnlyList<IResourceBuilder<ProjectResource>> AddMediaNodes(
        this IDistributedApplicationBuilder builder,
        IResourceBuilder<IResourceWithConnectionString> database,
        IResourceBuilder<IResourceWithConnectionString> redis,
        IResourceBuilder<ProjectResource> social,
        IResourceBuilder<LocalTurnResource>? turn)
    {
        var configuration = builder.Configuration;
        var count = Math.Max(1, configuration.GetValue("Media:Nodes", 1));
        var nodes = new List<IResourceBuilder<ProjectResource>>(count);
        for (var index = 1; index <= count; index++)
        {
            var name = index == 1 ? ServiceName : $"{ServiceName}-{index}";
            var node = builder.AddService<Projects.MediaService>(name);
            if (index == 1)
            {
                node.WithDatabase(database);
            }
            else
            {
                // One node migrates the shared database; two at once race on the same schema change.
                node.WithReference(database).WaitFor(database).WaitFor(nodes[0]);
            }
            node.WithRedis(redis)
                .WithReference(social).WaitFor(social)
                .WithMediaSettings(index, count)
                .WithTurn(turn)
                .WithEnvironment("AudioStream__ServiceName", ServiceName)
                .WithEnvironment("Media__NodeId", name)
                // Under the AppHost every resource stops together: there is nobody to drain to for long.
                .WithEnvironment("Media__DrainSeconds", configuration["Media:DrainSeconds"] ?? "5");
            if (configuration["Media:MaxStreams"] is { Length: > 0 } maxStreams)
            {
                node.WithEnvironment("Media__MaxStreams", maxStreams);
            }
            if (index > 1)
            {
                // The launch profile's and appsettings' fixed ports belong to the first node; the others take free ones.
                node.WithEndpoint("http", endpoint => endpoint.Port = null)
                    .WithEndpoint("grpc", endpoint => endpoint.Port = null);
            }
            // The node's own sockets, not the orchestrator's proxy in front of them: a dead node then refuses at once
            // (the gateway answers its streams' requests 503 within the second), where the proxy would hold them.
            node.WithEnvironment("Media__HttpAddress", TargetAddress(node, "http"))
                .WithEnvironment("Media__GrpcAddress", TargetAddress(node, "grpc"));
            nodes.Add(node);
        }

        var names = nodes.Select(node => node.Resource.Name).ToHashSet(StringComparer.Ordinal);
        builder.Services.AddHostedService(services => new CrashedNodeRestarter(
            names,
            services.GetRequiredService<ResourceNotificationService>(),
            services.GetRequiredService<ResourceCommandService>(),
            services.GetRequiredService<IHostApplicationLifetime>(),
            services.GetRequiredService<ILogger<CrashedNodeRestarter>>()));
        return nodes;
    }

    private static ReferenceExpression TargetAddress(IResourceBuilder<ProjectResource> node, string endpointName) =>
        ReferenceExpression.Create($"http://localhost:{node.GetEndpoint(endpointName).Property(EndpointProperty.TargetPort)}");

    /// <summary>References every node from <paramref name="service"/> and waits for each.</summary>
    public static IResourceBuilder<ProjectResource> WithMediaNodes(
        this IResourceBuilder<ProjectResource> service, IReadOnlyList<IResourceBuilder<ProjectResource>> nodes)
    {
        foreach (var node in nodes)
        {
            service.WithReference(node).WaitFor(node);
        }
        return service;
    }
}
