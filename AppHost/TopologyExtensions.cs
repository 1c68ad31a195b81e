using AudioStream.AppHost.Infrastructure;

namespace AudioStream.AppHost;

/// <summary>The pieces AppHost/Program.cs composes; kept here so Program.cs reads like the topology.</summary>
internal static class TopologyExtensions
{
    private const string OtlpRetryVariable = "OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY";

    /// <summary>
    /// PostgreSQL and Redis: local processes by default (no container runtime is assumed);
    /// <c>Infrastructure:UseContainers=true</c> uses Aspire's container resources where Docker or Podman runs.
    /// </summary>
    public static InfrastructureResources AddInfrastructure(this IDistributedApplicationBuilder builder)
    {
        if (builder.Configuration.GetValue<bool>("Infrastructure:UseContainers") || !OperatingSystem.IsLinux())
        {
            var postgresContainer = builder.AddPostgres("postgres").WithDataVolume();
            var redisContainer = builder.AddRedis("redis");
            return new InfrastructureResources(redisContainer, name => postgresContainer.AddDatabase(name));
        }

        return builder.AddLocalInfrastructure();
    }

    /// <summary><c>DataRoot</c>: PostgreSQL, Redis, TURN, certificates and recordings (default <c>.data</c> in the checkout).</summary>
    public static string DataRoot(this IDistributedApplicationBuilder builder) =>
        builder.Configuration["DataRoot"] ?? Path.Combine(builder.AppHostDirectory, "..", ".data");

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static InfrastructureResources AddLocalInfrastructure(this IDistributedApplicationBuilder builder)
    {
        var dataRoot = builder.DataRoot();
        var postgres = builder.AddLocalPostgres("postgres", dataRoot);
        var redis = builder.AddLocalRedis("redis", dataRoot);
        return new InfrastructureResources(redis, name => postgres.AddDatabase(name));
    }

    /// <summary>A service project with the house defaults: HTTP health check, quick shutdown.</summary>
    public static IResourceBuilder<ProjectResource> AddService<TProject>(this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new() =>
        builder.AddProject<TProject>(name)
            .WithHttpHealthCheck("/health")
            // With no OTLP collector listening (tests, dashboard closed) the in-memory retry holds each service ~15 s at shutdown.
            .WithEnvironment(context => context.EnvironmentVariables.Remove(OtlpRetryVariable));

    public static IResourceBuilder<ProjectResource> WithDatabase(
        this IResourceBuilder<ProjectResource> service, IResourceBuilder<IResourceWithConnectionString> database) =>
        service.WithReference(database).WaitFor(database)
            // Schema changes are deliberate: the AppHost asks for them explicitly (see ServiceDefaults/DatabaseMigrations).
            .WithEnvironment("Database__MigrateAtStartup", "true");

    public static IResourceBuilder<ProjectResource> WithRedis(
        this IResourceBuilder<ProjectResource> service, IResourceBuilder<IResourceWithConnectionString> redis) =>
        service.WithReference(redis).WaitFor(redis);

    /// <summary>
    /// Where the denoiser runs (<c>Media:CudaDeviceId</c> pins the MediaService to one GPU) and where browsers reach
    /// its WebRTC socket: <c>Media:UdpPort</c> (default 0, a free port chosen at start-up) and
    /// <c>Media:AdvertisedAddress</c> (default 127.0.0.1; set the host's reachable address for other machines);
    /// <c>Media:IngestTimeoutSeconds</c>: how long a started stream waits for its broadcaster to connect.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithMediaSettings(this IResourceBuilder<ProjectResource> media)
    {
        var configuration = media.ApplicationBuilder.Configuration;
        if (configuration["Media:UdpPort"] is { Length: > 0 } udpPort)
        {
            media.WithEnvironment("WebRtc__Port", udpPort);
        }
        if (configuration["Media:AdvertisedAddress"] is { Length: > 0 } advertised)
        {
            media.WithEnvironment("WebRtc__AdvertisedAddress", advertised);
        }
        if (configuration["Media:CudaDeviceId"] is { Length: > 0 } deviceId)
        {
            media.WithEnvironment("Denoiser__CudaDeviceId", deviceId);
        }
        if (configuration["Media:ModelPath"] is { Length: > 0 } modelPath)
        {
            media.WithEnvironment("Denoiser__ModelPath", modelPath);
        }
        if (configuration["Media:IngestTimeoutSeconds"] is { Length: > 0 } ingestTimeout)
        {
            media.WithEnvironment("Live__IngestTimeoutSeconds", ingestTimeout);
        }
        return media;
    }

    /// <summary>The one public origin. Port 0 lets DCP choose one (tests run several AppHosts at once).</summary>
    public static IResourceBuilder<ProjectResource> WithPublicPort(this IResourceBuilder<ProjectResource> gateway, int port) =>
        gateway.WithEndpoint("http", endpoint => endpoint.Port = port == 0 ? null : port);
}

internal sealed record InfrastructureResources(
    IResourceBuilder<IResourceWithConnectionString> Redis,
    Func<string, IResourceBuilder<IResourceWithConnectionString>> Database);
