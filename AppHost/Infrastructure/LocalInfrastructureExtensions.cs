using System.Runtime.Versioning;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AudioStream.AppHost.Infrastructure;

/// <summary>
/// PostgreSQL and Redis as plain local processes (Debian's <c>postgresql-15</c> and <c>redis-server</c>), for machines
/// with no container runtime. Each gets a DCP-allocated port, a generated secret password and a real round-trip health check.
/// </summary>
[SupportedOSPlatform("linux")]
public static class LocalInfrastructureExtensions
{
    public static IResourceBuilder<LocalRedisResource> AddLocalRedis(this IDistributedApplicationBuilder builder, string name, string dataRoot)
    {
        var password = builder.AddPassword($"{name}-password");
        var redis = new LocalRedisResource(name, CreateDirectory(Path.Combine(dataRoot, name)), password.Resource);

        var healthCheckKey = $"{name}_ping";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckKey, _ => new RedisPingHealthCheck(redis), HealthStatus.Unhealthy, tags: null, timeout: TimeSpan.FromSeconds(5)));

        // The password goes into a private config file rather than onto the command line, where `ps` would show it.
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(redis, async (_, cancellationToken) =>
        {
            var secret = await redis.Password.GetValueAsync(cancellationToken);
            PrivateFiles.WriteReplacing(redis.ConfigFile,
                $"""
                bind 127.0.0.1
                protected-mode yes
                daemonize no
                dir {redis.DataDirectory}
                save ""
                appendonly no
                requirepass {secret}
                """);
        });

        return builder.AddResource(redis)
            .WithEndpoint(name: LocalRedisResource.EndpointName, scheme: "tcp")
            .WithArgs(context =>
            {
                context.Args.Add(redis.ConfigFile);
                context.Args.Add("--port");
                context.Args.Add(redis.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
            })
            .WithHealthCheck(healthCheckKey);
    }

    public static IResourceBuilder<LocalPostgresResource> AddLocalPostgres(this IDistributedApplicationBuilder builder, string name, string dataRoot)
    {
        var password = builder.AddPassword($"{name}-password");
        var server = new PostgresBinaries(builder.Configuration["Postgres:BinDirectory"]);
        var dataDirectory = PostgresDataDirectory(dataRoot, name);
        var runAsPostgresUser = Environment.IsPrivilegedProcess;
        var postgres = new LocalPostgresResource(
            name, runAsPostgresUser ? "setpriv" : server.Postgres, dataDirectory, password.Resource);

        var healthCheckKey = $"{name}_select1";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckKey, _ => new PostgresSelectOneHealthCheck(postgres), HealthStatus.Unhealthy, tags: null, timeout: TimeSpan.FromSeconds(5)));

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(postgres, async (startingEvent, cancellationToken) =>
        {
            var logger = startingEvent.Services.GetRequiredService<ResourceLoggerService>().GetLogger(postgres);
            var secret = await postgres.Password.GetValueAsync(cancellationToken) ?? throw new InvalidOperationException("No PostgreSQL password.");
            await new PostgresDataDirectory(server, dataDirectory, runAsPostgresUser, logger).EnsureReadyAsync(secret, cancellationToken);
        });
        builder.Eventing.Subscribe<ResourceReadyEvent>(postgres, async (readyEvent, cancellationToken) =>
        {
            await PostgresDatabases.CreateMissingAsync(postgres, cancellationToken);
            var notifications = readyEvent.Services.GetRequiredService<ResourceNotificationService>();
            foreach (var database in builder.Resources.OfType<LocalPostgresDatabaseResource>().Where(d => d.Parent == postgres))
            {
                await notifications.PublishUpdateAsync(database, snapshot => snapshot with
                {
                    State = KnownResourceStates.Running,
                    StartTimeStamp = DateTime.UtcNow,
                });
            }
        });

        return builder.AddResource(postgres)
            .WithEndpoint(name: LocalPostgresResource.EndpointName, scheme: "tcp")
            .WithArgs(context =>
            {
                if (runAsPostgresUser)
                {
                    // PostgreSQL refuses to run as root; setpriv execs it as the postgres user.
                    context.Args.Add("--reuid=postgres");
                    context.Args.Add("--regid=postgres");
                    context.Args.Add("--init-groups");
                    context.Args.Add(server.Postgres);
                }
                context.Args.Add("-D");
                context.Args.Add(dataDirectory);
                context.Args.Add("-p");
                context.Args.Add(postgres.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("-c");
                context.Args.Add("listen_addresses=127.0.0.1");
                context.Args.Add("-c");
                context.Args.Add("unix_socket_directories=");
            })
            .WithHealthCheck(healthCheckKey);
    }

    public static IResourceBuilder<LocalPostgresDatabaseResource> AddDatabase(
        this IResourceBuilder<LocalPostgresResource> server, string name)
    {
        var database = new LocalPostgresDatabaseResource(name, name, server.Resource);
        server.Resource.Databases[name] = name;

        var healthCheckKey = $"{name}_select1";
        server.ApplicationBuilder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckKey, _ => new PostgresSelectOneHealthCheck(database), HealthStatus.Unhealthy, tags: null, timeout: TimeSpan.FromSeconds(5)));

        return server.ApplicationBuilder.AddResource(database)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgresDatabase",
                State = KnownResourceStates.Waiting,
                Properties = [],
            })
            .WithHealthCheck(healthCheckKey);
    }

    private static IResourceBuilder<ParameterResource> AddPassword(this IDistributedApplicationBuilder builder, string name) =>
        builder.AddParameter(name, new GenerateParameterDefault { MinLength = 24, Special = false }, secret: true, persist: true);

    /// <summary>
    /// The postgres user must be able to reach its data directory; under a private home (e.g. /root) it cannot,
    /// so the data then lives under /var/lib/audiostream, keyed by the data root so separate checkouts stay apart.
    /// </summary>
    internal static string PostgresDataDirectory(string dataRoot, string name)
    {
        var preferred = Path.Combine(Path.GetFullPath(dataRoot), name);
        if (!Environment.IsPrivilegedProcess || EveryAncestorIsTraversable(preferred))
        {
            CreateDirectory(Path.GetDirectoryName(preferred)!);
            return preferred;
        }

        var key = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(dataRoot))))[..12];
        var fallback = Path.Combine("/var/lib/audiostream", key, name);
        CreateDirectory(Path.GetDirectoryName(fallback)!);
        return fallback;
    }

    private static bool EveryAncestorIsTraversable(string path)
    {
        for (var directory = Path.GetDirectoryName(path); !string.IsNullOrEmpty(directory); directory = Path.GetDirectoryName(directory))
        {
            if (Directory.Exists(directory) && !File.GetUnixFileMode(directory).HasFlag(UnixFileMode.OtherExecute))
            {
                return false;
            }
        }
        return true;
    }

    internal static string CreateDirectory(string path)
    {
        Directory.CreateDirectory(path);
        return path;
    }
}
