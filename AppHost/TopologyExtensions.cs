using AudioStream.AppHost.Certificates;
using AudioStream.AppHost.Infrastructure;
using Microsoft.Extensions.Logging;

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

    /// <summary>
    /// A service project with the house defaults: HTTP health check, quick shutdown, and the AppHost's own environment
    /// (<c>./run.sh</c>: Production unless <c>ASPNETCORE_ENVIRONMENT=Development</c>) instead of its launch profile's.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddService<TProject>(this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new() =>
        builder.AddProject<TProject>(name)
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", builder.Environment.EnvironmentName)
            .WithEnvironment("DOTNET_ENVIRONMENT", builder.Environment.EnvironmentName)
            // The name callers address it by: service tokens name it as their audience (ServiceDefaults ServiceToken).
            .WithEnvironment("AudioStream__ServiceName", name)
            .WithHttpHealthCheck("/health")
            // With no OTLP collector listening (tests, dashboard closed) the in-memory retry holds each service ~15 s at shutdown.
            .WithEnvironment(context => context.EnvironmentVariables.Remove(OtlpRetryVariable));

    public static IResourceBuilder<ProjectResource> WithDatabase(
        this IResourceBuilder<ProjectResource> service, IResourceBuilder<IResourceWithConnectionString> database) =>
        service.WithReference(database).WaitFor(database)
            // Schema changes are deliberate: the AppHost asks for them explicitly (see ServiceDefaults/DatabaseMigrations).
            .WithEnvironment("Database__MigrateAtStartup", "true");

    /// <summary>
    /// Passes an AppHost configuration section on to the service unchanged, e.g. <c>--Gateway:RateLimits:Login:PermitLimit=40</c>
    /// on the AppHost's command line becomes the gateway's <c>Gateway:RateLimits:Login:PermitLimit</c>.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithConfigurationSection(this IResourceBuilder<ProjectResource> service, string section)
    {
        foreach (var (key, value) in service.ApplicationBuilder.Configuration.GetSection(section).AsEnumerable())
        {
            if (value is not null)
            {
                service.WithEnvironment(key.Replace(":", "__", StringComparison.Ordinal), value);
            }
        }
        return service;
    }

    public static IResourceBuilder<ProjectResource> WithRedis(
        this IResourceBuilder<ProjectResource> service, IResourceBuilder<IResourceWithConnectionString> redis) =>
        service.WithReference(redis).WaitFor(redis);

    /// <summary>
    /// Where node <paramref name="index"/> of <paramref name="count"/> (<see cref="MediaNodes"/>) runs its denoiser
    /// (<c>Media:CudaDeviceId</c> pins the first node to one GPU, node <c>n</c> gets the device <c>n − 1</c> after it; with
    /// several nodes and none set, node <c>n</c> takes GPU <c>n − 1</c>) and where browsers reach its WebRTC socket:
    /// <c>Media:UdpPort</c> (default 0, a free port chosen at start-up; a port set here is the first node's, node <c>n</c>
    /// takes the <c>n − 1</c>th after it) and
    /// <c>Media:AdvertisedAddress</c> (default <c>auto</c>: every usable address of the machine; an address written
    /// here is offered alone), <c>Media:PublicAddress</c> (offered in addition: a NAT's public address forwarding the
    /// port), <c>Media:TcpPort</c> (ICE over TCP for clients whose UDP is blocked; default 0, a free port; empty: off;
    /// numbered like the UDP port),
    /// <c>Media:BindAddress</c> (default all addresses; binding the advertised one makes replies leave from it);
    /// <c>Media:IngestTimeoutSeconds</c>: how long a started stream waits for its broadcaster to connect;
    /// <c>Media:AccessCheckSeconds</c>: how often listeners' friendship and session are checked again.
    /// <c>Media:Listeners:*</c>: the listener caps.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithMediaSettings(this IResourceBuilder<ProjectResource> media, int index = 1, int count = 1)
    {
        var configuration = media.ApplicationBuilder.Configuration;
        if (configuration["Media:UdpPort"] is { Length: > 0 } udpPort)
        {
            media.WithEnvironment("WebRtc__Port", NthPort(udpPort, index));
        }
        if (configuration["Media:AdvertisedAddress"] is { Length: > 0 } advertised)
        {
            media.WithEnvironment("WebRtc__AdvertisedAddress", advertised);
        }
        if (configuration["Media:PublicAddress"] is { Length: > 0 } publicAddress)
        {
            media.WithEnvironment("WebRtc__PublicAddress", publicAddress);
        }
        if (configuration["Media:TcpPort"] is { } tcpPort)
        {
            media.WithEnvironment("WebRtc__TcpPort", NthPort(tcpPort, index));
        }
        if (configuration["Media:BindAddress"] is { Length: > 0 } bind)
        {
            media.WithEnvironment("WebRtc__BindAddress", bind);
        }
        if (configuration["Media:CudaDeviceId"] is { Length: > 0 } deviceId)
        {
            media.WithEnvironment("Denoiser__CudaDeviceId", NthPort(deviceId, index));
        }
        else if (count > 1)
        {
            media.WithEnvironment("Denoiser__CudaDeviceId", (index - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        if (configuration["Media:ModelPath"] is { Length: > 0 } modelPath)
        {
            media.WithEnvironment("Denoiser__ModelPath", modelPath);
        }
        if (configuration["Media:IngestTimeoutSeconds"] is { Length: > 0 } ingestTimeout)
        {
            media.WithEnvironment("Live__IngestTimeoutSeconds", ingestTimeout);
        }
        if (configuration["Media:AccessCheckSeconds"] is { Length: > 0 } accessCheck)
        {
            media.WithEnvironment("Live__AccessCheckSeconds", accessCheck);
        }
        // Listener caps (MaxPerUser, MaxPerStream, MaxPerNode, RetryAfterSeconds) pass through under the same names.
        foreach (var limit in configuration.GetSection("Media:Listeners").GetChildren().Where(c => c.Value is { Length: > 0 }))
        {
            media.WithEnvironment($"Media__Listeners__{limit.Key}", limit.Value);
        }
        return media;
    }

    /// <summary>The <paramref name="index"/>th of consecutive numbers from <paramref name="first"/>; 0, empty or not a number as it is.</summary>
    private static string NthPort(string first, int index) =>
        int.TryParse(first, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var number) && number > 0
            ? (number + index - 1).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : first;

    /// <summary>
    /// The gateway's TLS certificate: <c>Gateway:Certificate:Path</c> (+ <c>KeyPath</c>; a password in the secret
    /// parameter <c>gateway-certificate-password</c>), else one generated from a local CA under the data folder.
    /// </summary>
    public static GatewayCertificate AddGatewayCertificate(this IDistributedApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (configuration["Gateway:Certificate:Path"] is { Length: > 0 } path)
        {
            var password = configuration[$"Parameters:{CertificatePasswordParameter}"] is null
                ? null
                : builder.AddParameter(CertificatePasswordParameter, secret: true).Resource;
            return GatewayCertificate.Configured(path, configuration["Gateway:Certificate:KeyPath"], password);
        }
        return GatewayCertificate.Generate(
            Path.Combine(builder.DataRoot(), "certificates"), CertificateNames.ForThisMachine(), TimeProvider.System.GetUtcNow());
    }

    private const string CertificatePasswordParameter = "gateway-certificate-password";

    /// <summary>coturn beside the services (Linux, <c>Turn:Enabled</c>); null when it does not run.</summary>
    public static IResourceBuilder<LocalTurnResource>? AddTurnRelay(this IDistributedApplicationBuilder builder, GatewayCertificate certificate) =>
        OperatingSystem.IsLinux() && builder.Configuration.GetValue($"{TurnSettings.SectionName}:Enabled", true)
            ? builder.AddLocalTurn("turn", builder.DataRoot(), certificate)
            : null;

    /// <summary>Keeps the certificate and TURN in step with the machine's addresses (see <see cref="AddressChangeWatcher"/>).</summary>
    public static void WatchAddresses(
        this IDistributedApplicationBuilder builder, GatewayCertificate certificate, IResourceBuilder<LocalTurnResource>? turn)
    {
        var interval = TimeSpan.FromSeconds(builder.Configuration.GetValue("Gateway:Certificate:CheckSeconds", 60.0));
        builder.Services.AddHostedService(services => new AddressChangeWatcher(
            certificate, turn?.Resource, interval, TimeProvider.System,
            services.GetRequiredService<ResourceCommandService>(), services.GetRequiredService<ILogger<AddressChangeWatcher>>()));
    }

    /// <summary>
    /// MediaService signs short-lived TURN credentials with the relay's secret and lists the relay's URLs
    /// (<c>GET /api/media/ice-servers</c>, WHIP/WHEP Link headers) at <c>Turn:PublicHost</c> (default
    /// <c>Media:PublicAddress</c>, else the host each request came to).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithTurn(this IResourceBuilder<ProjectResource> media, IResourceBuilder<LocalTurnResource>? turn)
    {
        if (turn is null)
        {
            return media;
        }
        var configuration = media.ApplicationBuilder.Configuration;
        media.WithEnvironment("Turn__Secret", turn.Resource.Secret)
            .WithEnvironment("Turn__Port", turn.Resource.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("Turn__TlsPort", (turn.Resource.TlsPort ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture));
        if ((configuration["Turn:PublicHost"] ?? configuration["Media:PublicAddress"]) is { Length: > 0 } publicHost)
        {
            media.WithEnvironment("Turn__PublicHost", publicHost);
        }
        return media;
    }

    /// <summary>
    /// The one public origin, bound by the gateway itself on every address (no orchestrator proxy, so it sees each
    /// client's own address): plain HTTP on <c>Gateway:Port</c> (8080; other machines are redirected to HTTPS) and
    /// HTTPS on <c>Gateway:HttpsPort</c> (8443). 0 takes a free port (tests run several AppHosts at once).
    /// Kestrel reads both from configuration, which is what makes it reload the certificate when the file changes.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPublicEndpoints(this IResourceBuilder<ProjectResource> gateway, GatewayCertificate certificate)
    {
        var configuration = gateway.ApplicationBuilder.Configuration;
        var httpPort = FreePorts.OrFree(configuration.GetValue("Gateway:Port", 8080));
        var httpsPort = FreePorts.OrFree(configuration.GetValue("Gateway:HttpsPort", 8443));
        var invariant = System.Globalization.CultureInfo.InvariantCulture;

        gateway.WithEndpoint("http", endpoint =>
            {
                endpoint.IsProxied = false;
                endpoint.Port = httpPort;
                endpoint.TargetPort = httpPort;
            })
            .WithEndpoint("https", endpoint =>
            {
                endpoint.UriScheme = "https";
                endpoint.IsProxied = false;
                endpoint.Port = httpsPort;
                endpoint.TargetPort = httpsPort;
            }, createIfNotExists: true)
            .WithEnvironment("Kestrel__Endpoints__http__Url", $"http://*:{httpPort.ToString(invariant)}")
            .WithEnvironment("Kestrel__Endpoints__https__Url", $"https://*:{httpsPort.ToString(invariant)}")
            .WithEnvironment("Kestrel__Endpoints__https__Certificate__Path", certificate.CertificatePath)
            .WithEnvironment("Gateway__HttpsPort", httpsPort.ToString(invariant));
        if (certificate.KeyPath is not null)
        {
            gateway.WithEnvironment("Kestrel__Endpoints__https__Certificate__KeyPath", certificate.KeyPath);
        }
        if (certificate.Password is not null)
        {
            gateway.WithEnvironment("Kestrel__Endpoints__https__Certificate__Password", certificate.Password);
        }
        if (certificate.AuthorityCertificatePath is not null)
        {
            gateway.WithEnvironment("Gateway__CaCertificatePath", certificate.AuthorityCertificatePath);
        }
        return gateway;
    }
}

internal sealed record InfrastructureResources(
    IResourceBuilder<IResourceWithConnectionString> Redis,
    Func<string, IResourceBuilder<IResourceWithConnectionString>> Database);
