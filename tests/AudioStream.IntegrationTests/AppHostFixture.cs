using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AudioStream.IntegrationTests;

/// <summary>
/// One real AppHost (PostgreSQL, Redis and every service as processes) per test collection, with its own data
/// folder and random ports so it can run beside a developer's <c>./run.sh</c> or another test run.
/// </summary>
public class AppHostFixture : IAsyncLifetime
{
    /// <summary>A hung dependency fails the run here instead of waiting forever.</summary>
    protected virtual TimeSpan StartTimeout => TimeSpan.FromMinutes(2);

    private readonly string _dataRoot;

    public AppHostFixture()
        : this(Path.Combine(Path.GetTempPath(), "audiostream-tests", Guid.NewGuid().ToString("N")))
    {
    }

    /// <summary>An AppHost on a given data folder (the backup tests start one on a restored folder).</summary>
    protected AppHostFixture(string dataRoot) => _dataRoot = dataRoot;

    /// <summary>Settings a derived fixture adds to the command line.</summary>
    protected virtual IEnumerable<string> ExtraArguments => [];

    public DistributedApplication App { get; private set; } = null!;

    /// <summary>A stream nobody connects to ends this long after it started (30 s in production; shorter to test it).</summary>
    public const int IngestTimeoutSeconds = 12;

    /// <summary>How often RecordingService compares live streams with its recordings (15 s in production).</summary>
    public const int ReconcileSeconds = 3;

    /// <summary>
    /// The suites register hundreds of accounts, befriend and go live from one address (127.0.0.1), far past what one
    /// household does: those per-address limits are raised here, openly. Sign-in keeps its production limit (suites
    /// sign in rarely), which the abuse tests prove from addresses of their own.
    /// </summary>
    public static IReadOnlyList<string> BulkTestTrafficLimits { get; } =
    [
        "--Gateway:RateLimits:Register:PermitLimit=100000",
        "--Gateway:RateLimits:FriendRequests:PermitLimit=100000",
        "--Gateway:RateLimits:StreamStart:PermitLimit=100000",
    ];

    /// <summary>This run's PostgreSQL, Redis and recordings data (a fresh folder under the temp directory).</summary>
    public string DataRoot => _dataRoot;

    public IReadOnlyList<string> ResourceNames { get; private set; } = [];

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [
                $"--DataRoot={_dataRoot}",
                "--Gateway:Port=0",
                "--Gateway:HttpsPort=0",
                "--Turn:Port=0",
                "--Turn:TlsPort=0",
                "--Presence:Replicas=2",
                "--DcpPublisher:RandomizePorts=true",
                $"--Media:IngestTimeoutSeconds={IngestTimeoutSeconds}",
                $"--Recordings:ReconcileSeconds={ReconcileSeconds}",
                .. BulkTestTrafficLimits,
                .. ExtraArguments,
            ],
            (options, _) => options.DisableDashboard = true,
            timeout.Token);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));

        ResourceNames = builder.Resources
            .Where(HasHealthCheck)
            .Select(resource => resource.Name)
            .ToList();

        App = await builder.BuildAsync(timeout.Token);
        await App.StartAsync(timeout.Token);
        try
        {
            await Task.WhenAll(ResourceNames.Select(name =>
                App.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token)));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"Not every resource was healthy within {StartTimeout}: {await DescribeStatesAsync()}");
        }
    }

    /// <summary>Every part of the topology declares a health check; Aspire's hidden helpers (project rebuilders) do not.</summary>
    private static bool HasHealthCheck(IResource resource) => resource.Annotations.OfType<HealthCheckAnnotation>().Any();

    public HttpClient CreateGatewayClient() => App.CreateHttpClient("gateway", "http");

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
        try
        {
            Directory.Delete(_dataRoot, recursive: true);
        }
        catch (IOException)
        {
            // PostgreSQL may still be flushing; a leftover temp folder is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private async Task<string> DescribeStatesAsync()
    {
        var states = new List<string>();
        foreach (var name in ResourceNames)
        {
            using var quick = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            try
            {
                var resourceEvent = await App.ResourceNotifications.WaitForResourceAsync(name, _ => true, quick.Token);
                states.Add($"{name}={resourceEvent.Snapshot.State?.Text}/{resourceEvent.Snapshot.HealthStatus}");
            }
            catch (OperationCanceledException)
            {
                states.Add($"{name}=unknown");
            }
        }
        return string.Join(", ", states);
    }
}

[CollectionDefinition(Name)]
public sealed class AppHostCollection : ICollectionFixture<AppHostFixture>
{
    public const string Name = "AppHost";
}
