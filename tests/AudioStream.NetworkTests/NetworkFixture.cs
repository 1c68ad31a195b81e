using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using AudioStream.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AudioStream.NetworkTests;

/// <summary>
/// The simulated network (<see cref="SimulatedNetwork"/>), then one real AppHost for every network test: HTTPS with a
/// generated certificate (which names the namespaces' host addresses, since they exist before it starts) and coturn,
/// both on free ports. Browsers are launched per device on demand and shared. Where namespaces cannot be made (not
/// root) or Chromium or the test audio is missing, <see cref="SkipReason"/> says so and nothing starts.
/// </summary>
public sealed class NetworkFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "audiostream-network-tests", Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, DeviceBrowser> _browsers = [];
    private IPlaywright? _playwright;
    private SimulatedNetwork? _network;

    public string? SkipReason { get; private set; }

    /// <summary>What the AppHost and coturn logged lately, for a failing test to show.</summary>
    internal RecentLog Log { get; } = new();

    /// <summary>coturn's UDP and TCP port, as its config file says.</summary>
    public int TurnPort => TurnConfigPort("listening-port");

    /// <summary>coturn's TLS port, as its config file says.</summary>
    public int TurnTlsPort => TurnConfigPort("tls-listening-port");

    private int TurnConfigPort(string key) => int.Parse(
        File.ReadLines(Path.Combine(DataRoot, "turn", "turnserver.conf")).Single(line => line.StartsWith($"{key}=", StringComparison.Ordinal))[(key.Length + 1)..],
        System.Globalization.CultureInfo.InvariantCulture);

    internal SimulatedNetwork Network => _network ?? throw new InvalidOperationException(SkipReason);

    public DistributedApplication App { get; private set; } = null!;

    public string DataRoot => Path.Combine(_folder, "data");

    public string AuthorityCertificate => Path.Combine(DataRoot, "certificates", "ca.crt");

    public int HttpsPort => App.GetEndpoint("gateway", "https").Port;

    public int HttpPort => App.GetEndpoint("gateway", "http").Port;

    /// <summary>The gateway over loopback HTTP, for users on this machine (bob).</summary>
    public Uri LoopbackGateway => new UriBuilder(App.GetEndpoint("gateway", "http")) { Host = "127.0.0.1" }.Uri;

    public async Task InitializeAsync()
    {
        var microphone = SharedAudio.Find(Path.Combine("dns-01", "noisy.wav"));
        if (microphone is null || !File.Exists(HeadlessChromium.ExecutablePath))
        {
            SkipReason = $"The network tests need {HeadlessChromium.ExecutablePath} and ../shared/audio/dns-01/noisy.wav.";
            return;
        }
        if (!Environment.IsPrivilegedProcess)
        {
            SkipReason = "The network tests make network namespaces (ip netns, veth, nft), which needs root; CI runs them as root.";
            return;
        }
        Microphone = microphone;
        Directory.CreateDirectory(_folder);
        _network = await SimulatedNetwork.CreateAsync();
        // A test run stopped with SIGTERM/Ctrl-C skips DisposeAsync; a killed one is cleaned up by the next run.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => _network.DisposeAsync().AsTask().GetAwaiter().GetResult();
        try
        {
            await StartAppHostAsync(_network);
        }
        catch
        {
            await _network.DisposeAsync();
            throw;
        }
    }

    private async Task StartAppHostAsync(SimulatedNetwork network)
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [
                $"--DataRoot={DataRoot}",
                "--Gateway:Port=0",
                "--Gateway:HttpsPort=0",
                "--Turn:Port=0",
                "--Turn:TlsPort=0",
                "--DcpPublisher:RandomizePorts=true",
                .. AppHostFixture.BulkTestTrafficLimits,
                // No media address given: MediaService offers every address of the machine (WebRtc:AdvertisedAddress=auto),
                // the host's side of each simulated link included, and answers each from its own address.
                // Notice a new address within a second (the certificate test adds one).
                "--Gateway:Certificate:CheckSeconds=1",
                // Every TURN request in the log, which a failing test shows (RecentLog).
                "--Turn:Verbose=true",
            ],
            (options, _) => options.DisableDashboard = true,
            timeout.Token);
        // The AppHost's own lines (address changes, certificate reissues) explain a failure here.
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning).AddFilter("AudioStream.AppHost", LogLevel.Information)
            .AddProvider(Log).AddFilter<RecentLog>(category: null, LogLevel.Information));
        var resources = builder.Resources.Where(r => r.Annotations.OfType<HealthCheckAnnotation>().Any()).Select(r => r.Name).ToList();
        App = await builder.BuildAsync(timeout.Token);
        await App.StartAsync(timeout.Token);
        await Task.WhenAll(resources.Select(name => App.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token)));
        await WarmUpAsync();
    }

    /// <summary>
    /// One broadcast and one listener from this host before the tests: a fresh MediaService pays ~0.4 s of JIT on its
    /// first WebRTC connection, which would otherwise land on whichever test runs first and skew its connect time.
    /// </summary>
    private async Task WarmUpAsync()
    {
        using var user = await new UserSession(LoopbackGateway).RegisterAsync();
        var context = await (await BrowserOnAsync(null)).NewContextAsync(new() { BaseURL = LoopbackGateway.ToString() });
        await LivePage.AddSessionAsync(context, user, LoopbackGateway);
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/user/{user.UserName}");
        await LivePage.GoLiveAsync(page, iceTransportPolicy: null);
        // Listening to yourself is allowed (monitoring): it warms the listener path too.
        await LivePage.ListenAsync(page, user.UserName);
        await Task.Delay(TimeSpan.FromSeconds(2));
        await LivePage.StopAsync(page);
        await context.CloseAsync();
    }

    public string Microphone { get; private set; } = "";

    /// <summary>The Chromium of <paramref name="device"/> (null: this host), started on first use.</summary>
    internal async Task<IBrowser> BrowserOnAsync(Device? device)
    {
        var key = device?.Name ?? "host";
        if (!_browsers.TryGetValue(key, out var browser))
        {
            _playwright ??= await Playwright.CreateAsync();
            browser = await DeviceBrowser.LaunchAsync(_playwright, device, AuthorityCertificate, Microphone, _folder);
            _browsers[key] = browser;
        }
        return browser.Browser;
    }

    /// <summary>The app as <paramref name="device"/> opens it: https://{the host's address on its network}:{port}.</summary>
    internal Uri HttpsOrigin(Device? device) =>
        new($"https://{device?.HostAddress ?? Network.Laptop.HostAddress}:{HttpsPort}");

    public async Task DisposeAsync()
    {
        foreach (var browser in _browsers.Values)
        {
            await browser.DisposeAsync();
        }
        _playwright?.Dispose();
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
        if (_network is not null)
        {
            await _network.DisposeAsync();
        }
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // PostgreSQL may still be flushing; a leftover temp folder is harmless.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class NetworkCollection : ICollectionFixture<NetworkFixture>
{
    public const string Name = "Network";
}
