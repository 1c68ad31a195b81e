using System.Diagnostics;
using System.Net;
using Xunit.Abstractions;

namespace AudioStream.NetworkTests;

/// <summary>
/// A person on another device opens https://{the host's address}:{port}, trusting the AudioStream CA, registers, goes
/// live with the fake microphone, and a friend on this machine hears it: directly, through a NAT, with UDP blocked
/// (over TCP; forced through the relay, TURN over TCP), and forced through the relay over UDP (TCP to the relay
/// blocked). Each run prints the connect time (WHIP POST → connected) and the path's round-trip time: the figures of
/// the README.
/// </summary>
[Collection(NetworkCollection.Name)]
public sealed class OtherDevicesTests(NetworkFixture fixture, ITestOutputHelper output)
{
    private static readonly string[] DirectCandidateTypes = ["host", "srflx", "prflx"];
    private static readonly string[] StreamRelayProtocols = ["tcp", "tls"];
    private static readonly TimeSpan PathSettleTime = TimeSpan.FromSeconds(15);

    [SkippableFact]
    public async Task A_laptop_on_the_lan_goes_live_over_https_and_a_friend_hears_it()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);

        var run = await GoLiveAndListenAsync(fixture.Network.Laptop, iceTransportPolicy: null);

        Assert.Equal("host", run.Path.LocalType);
        Assert.Equal(fixture.Network.Laptop.Address.ToString(), run.Path.LocalAddress);
    }

    [SkippableFact]
    public async Task A_device_behind_a_nat_goes_live_and_a_friend_hears_it()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);

        var run = await GoLiveAndListenAsync(fixture.Network.BehindNat, iceTransportPolicy: null);

        // ICE-lite answers the check where it came from: the router's masqueraded address and port.
        Assert.Contains(run.Path.LocalType, DirectCandidateTypes);
    }

    /// <summary>With every ICE option open the browser finds a TCP path: TURN over TCP/TLS, or ICE over TCP where MediaService offers it.</summary>
    [SkippableFact]
    public async Task A_device_whose_network_drops_udp_goes_live_over_tcp()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);

        var run = await GoLiveAndListenAsync(fixture.Network.UdpBlocked, iceTransportPolicy: null);

        Assert.True(run.Path.IsOverTcp, $"the media took {run.Path}");
    }

    [SkippableFact]
    public async Task A_device_whose_network_drops_udp_goes_live_through_the_relay_over_tcp()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);

        var run = await GoLiveAndListenAsync(fixture.Network.UdpBlocked, iceTransportPolicy: "relay");

        Assert.Equal("relay", run.Path.LocalType);
        Assert.Contains(run.Path.RelayProtocol, StreamRelayProtocols);
    }

    [SkippableFact]
    public async Task With_relay_only_ice_the_media_goes_through_the_turn_relay_over_udp()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);

        // Offered UDP, TCP and TLS relays alike, Chromium keeps whichever allocation is ready first and prunes the others
        // (seen: TLS kept while coturn had granted the UDP allocation too), so on this device's network TCP to the relay
        // is dropped: the UDP relay is its only way.
        await using var tcpBlocked = await SimulatedNetwork.DropTcpToAsync(fixture.Network.Laptop, fixture.TurnPort, fixture.TurnTlsPort);
        var run = await GoLiveAndListenAsync(fixture.Network.Laptop, iceTransportPolicy: "relay",
            settlesOn: path => path is { LocalType: "relay", RelayProtocol: "udp" });

        Assert.Equal("relay", run.Path.LocalType);
        Assert.Equal("udp", run.Path.RelayProtocol);
    }

    [SkippableFact]
    public async Task Plain_http_from_another_device_is_sent_to_https_except_the_ca_and_its_instructions()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        var laptop = fixture.Network.Laptop;
        var context = await (await fixture.BrowserOnAsync(laptop)).NewContextAsync();
        var page = await context.NewPageAsync();
        var http = $"http://{laptop.HostAddress}:{fixture.HttpPort}";

        var login = await page.GotoAsync($"{http}/login?returnUrl=%2F");
        Assert.Equal($"{fixture.HttpsOrigin(laptop)}login?returnUrl=%2F", page.Url);
        Assert.Equal(200, login?.Status);
        Assert.True(await page.EvaluateAsync<bool>("() => window.isSecureContext"));

        var instructions = await page.GotoAsync($"{http}/install-ca");
        Assert.Equal($"{http}/install-ca", page.Url);
        var fingerprint = await page.Locator("#ca-fingerprint").TextContentAsync();
        Assert.Matches("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", fingerprint);
        Assert.False((await instructions!.AllHeadersAsync()).ContainsKey("strict-transport-security"));

        var certificate = await context.APIRequest.GetAsync($"{http}/ca.crt");
        Assert.Equal(200, certificate.Status);
        Assert.Equal("application/x-x509-ca-cert", certificate.Headers["content-type"]);
        Assert.Equal(await File.ReadAllTextAsync(fixture.AuthorityCertificate), await certificate.TextAsync());
        await context.CloseAsync();
    }

    /// <param name="settlesOn">The path the broadcaster's browser must select within <see cref="PathSettleTime"/> once media flows.</param>
    private async Task<LiveRun> GoLiveAndListenAsync(Device device, string? iceTransportPolicy, Func<PathStats, bool>? settlesOn = null)
    {
        var origin = fixture.HttpsOrigin(device);
        var alice = UserSession.UniqueName("alice");

        // Alice, on the device: HTTPS with a certificate her browser trusts (no error flag), so the page is a secure context.
        var started = DateTimeOffset.UtcNow;
        await using var aliceContext = await (await fixture.BrowserOnAsync(device)).NewContextAsync(new() { BaseURL = origin.ToString() });
        await aliceContext.AddInitScriptAsync(LivePage.RecordIceErrors);
        var alicePage = await aliceContext.NewPageAsync();
        var errors = new List<string>();
        alicePage.PageError += (_, error) => errors.Add(error);
        var first = await alicePage.GotoAsync("/register");
        Assert.Equal(200, first?.Status);
        Assert.StartsWith("max-age=", (await first!.AllHeadersAsync())["strict-transport-security"], StringComparison.Ordinal);
        Assert.True(await alicePage.EvaluateAsync<bool>("() => window.isSecureContext"));
        await LivePage.RegisterAsync(alicePage, alice);
        Assert.True((await aliceContext.CookiesAsync()).Single(c => c.Name == "audiostream_session").Secure,
            "the session cookie of an HTTPS page must be Secure");

        // Bob, on this machine, is her friend.
        using var bob = await new UserSession(fixture.LoopbackGateway).RegisterAsync();
        await LivePage.BefriendAsync(alicePage, bob);

        await alicePage.GotoAsync($"/user/{alice}");
        var clock = Stopwatch.StartNew();
        var connectMs = await LivePage.GoLiveAsync(alicePage, iceTransportPolicy);
        var liveAfter = clock.Elapsed;

        await using var bobContext = await (await fixture.BrowserOnAsync(null)).NewContextAsync(new() { BaseURL = origin.ToString() });
        await LivePage.AddSessionAsync(bobContext, bob, origin);
        var bobPage = await bobContext.NewPageAsync();
        await bobPage.GotoAsync($"/user/{alice}");
        var listenMs = await LivePage.ListenAsync(bobPage, alice);

        // Let the jitter buffer settle, then measure what plays over three seconds.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var before = await LivePage.InboundAsync(bobPage);
        await Task.Delay(TimeSpan.FromSeconds(3));
        var after = await LivePage.InboundAsync(bobPage);
        var path = await LivePage.PathAsync(alicePage, "broadcast");
        for (var settling = Stopwatch.StartNew(); settlesOn is not null && !settlesOn(path) && settling.Elapsed < PathSettleTime;)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            path = await LivePage.PathAsync(alicePage, "broadcast");
        }
        if (settlesOn is not null && !settlesOn(path))
        {
            Assert.Fail(
                $"the broadcaster's browser kept {path}; its candidate pairs:\n{await LivePage.CandidatePairsAsync(alicePage, "broadcast")}\n" +
                $"its ICE errors:\n{await LivePage.IceErrorsAsync(alicePage)}\n" +
                $"STUN to the relay over UDP from {device.Name}: {await StunFromDeviceAsync(device)}\n" +
                $"the AppHost and coturn meanwhile:\n{fixture.Log.Since(started)}");
        }
        var level = after.LevelSinceDb(before);

        output.WriteLine($"{device.Name} ({iceTransportPolicy ?? "all"}): WHIP POST → connected {connectMs:F0} ms (go-live call {liveAfter.TotalMilliseconds:F0} ms), " +
            $"WHEP {listenMs:F0} ms; path {path.LocalType}/{path.RelayProtocol ?? path.Protocol} {path.LocalAddress} → {path.RemoteAddress}, " +
            $"RTT {1000 * (path.RoundTripSeconds ?? double.NaN):F1} ms; bob got {after.PacketsReceived - before.PacketsReceived} packets in 3 s at {level:F1} dBFS, " +
            $"jitter buffer {after.JitterBufferMilliseconds:F0} ms");

        if (after.PacketsReceived - before.PacketsReceived < 100)
        {
            var bobPath = await LivePage.PathAsync(bobPage, "listening");
            var server = await bob.GetJsonAsync($"/api/media/streams/{alice}");
            Assert.Fail($"bob received {after.PacketsReceived - before.PacketsReceived} packets in 3 s; his path {bobPath}; the server's stream {server}");
        }
        // The fake microphone plays speech in noise (around -30 dBFS); silence or comfort noise would be far below.
        Assert.True(level > -50, $"what bob's browser played was at {level:F1} dBFS");

        await LivePage.StopAsync(alicePage);
        Assert.Empty(errors);
        return new LiveRun(connectMs, path);
    }

    /// <summary>coturn's own STUN client, run inside the device's namespace: does the relay's UDP port answer there?</summary>
    private async Task<string> StunFromDeviceAsync(Device device)
    {
        var (exitCode, stdout, stderr) = await Shell.TryRunAsync("ip", "netns", "exec", device.Namespace,
            "timeout", "3", "turnutils_stunclient", "-p", fixture.TurnPort.ToString(System.Globalization.CultureInfo.InvariantCulture), device.HostAddress.ToString());
        return exitCode == 0 ? stdout.Trim() : $"exit {exitCode} (124: no answer in 3 s) {stderr.Trim()}";
    }

    private sealed record LiveRun(double ConnectMs, PathStats Path);
}
