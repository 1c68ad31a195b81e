using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using AudioStream.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace AudioStream.MediaTests;

/// <summary>
/// The only media node dies under a live stream (issue #13), seen from the pages: the gateway answers for the lost
/// stream at once (503), the broadcaster's page says what happened and offers to go live again, one click does it once
/// the AppHost has the node back, and the listener's page listens again by itself.
/// </summary>
[Collection(RecorderFailoverCollection.Name)]
public sealed partial class NodeLossPageTests(RecorderFailoverFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan NodeBack = TimeSpan.FromSeconds(150);

    private readonly string? _wavPath = SharedAudio.Find(Path.Combine("dns-01", "noisy.wav"));
    private LaunchedChromium? _chromium;

    private IBrowser? Browser => _chromium?.Browser;

    public async Task InitializeAsync()
    {
        if (_wavPath is not null)
        {
            _chromium = await LaunchedChromium.LaunchAsync(HeadlessChromium.Options(_wavPath));
        }
    }

    public async Task DisposeAsync()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task When_the_only_media_node_dies_the_broadcaster_goes_live_again_in_one_click_and_the_listener_follows()
    {
        Skip.If(_wavPath is null, "../shared/audio/dns-01/noisy.wav is absent: the fake microphone needs the shared test audio.");
        Skip.If(Browser is null, $"{HeadlessChromium.ExecutablePath} is not installed (apt-get install chromium).");
        await fixture.WaitForAllHealthyAsync();
        using var alice = await new UserSession(fixture).RegisterAsync();
        using var bob = await new UserSession(fixture).RegisterAsync();
        await alice.BefriendAsync(bob);
        var alicePage = await LiveAudioEndToEndTests.OpenUserPageAsync(Browser, output, alice, alice.UserName);
        var bobPage = await LiveAudioEndToEndTests.OpenUserPageAsync(Browser, output, bob, alice.UserName);

        // Noise removal off: the denoiser is not under test, and the machine is shared with a restarting node.
        await alicePage.Locator("#live-denoise").UncheckAsync();
        await alicePage.Locator("#live-go").ClickAsync();
        await Expect(alicePage.Locator("#live-status")).ToHaveTextAsync(YouAreLive(), new() { Timeout = 20_000 });
        await bobPage.Locator("#live-listen").ClickAsync(new() { Timeout = 15_000 });
        await Expect(bobPage.Locator("#live-status")).ToHaveTextAsync($"Listening to {alice.UserName}.", new() { Timeout = 15_000 });
        var first = await StatsAsync(alice);
        await MediaTestSupport.WaitUntilAsync(async () => (await StatsAsync(alice))?.GetProperty("listeners").GetInt32() == 1, TimeSpan.FromSeconds(15));

        var media = Assert.Single(await ServiceProcesses.FindAsync(fixture, "media"));
        await ServiceProcesses.KillAsync(media.Pid);
        var clock = Stopwatch.StartNew();

        // The gateway: a lost node's stream is answered at once, not after a proxy timeout.
        HttpStatusCode stats;
        var attempts = new List<string>();
        TimeSpan answeredIn;
        do
        {
            var asked = clock.Elapsed;
            using var response = await bob.GetAsync($"/api/media/streams/{alice.UserName}");
            stats = response.StatusCode;
            answeredIn = clock.Elapsed - asked;
            attempts.Add($"{(int)stats} at {asked.TotalMilliseconds:F0}–{clock.Elapsed.TotalMilliseconds:F0} ms " +
                $"({string.Join(", ", response.Headers.TryGetValues("Server-Timing", out var timing) ? timing : [])})");
        }
        while (stats != HttpStatusCode.ServiceUnavailable && clock.Elapsed < TimeSpan.FromSeconds(5));
        var statsLost = clock.Elapsed;
        output.WriteLine($"stats after the kill: {string.Join("; ", attempts)}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, stats);
        // The 503 itself within a second (typically ~90 ms). One run in four saw the first request after the kill take
        // 1004 ms (cause not found: the attempts above say more next time), so the time since the kill allows one slow try.
        Assert.True(answeredIn < TimeSpan.FromSeconds(1) && statsLost < TimeSpan.FromSeconds(2),
            $"stats answered 503 {statsLost.TotalMilliseconds:F0} ms after the kill: {string.Join("; ", attempts)}");

        // The pages notice: the broadcaster is offered to go live again, the listener is told it was interrupted.
        var goAgain = alicePage.Locator("#live-go");
        await Expect(goAgain).ToHaveTextAsync("Go live again", new() { Timeout = 15_000 });
        var offered = clock.Elapsed;
        await Expect(alicePage.Locator("#live-stop")).ToBeHiddenAsync();
        await Expect(bobPage.Locator("#live-stop")).ToBeHiddenAsync(new() { Timeout = 15_000 });
        await Expect(bobPage.Locator("#live-status")).ToContainTextAsync("hear them again", new() { Timeout = 5_000 });
        var listenerTold = clock.Elapsed;

        // One click, at once: the page keeps trying while the node restarts (503) and its old stream closes.
        await goAgain.ClickAsync();
        await Expect(alicePage.Locator("#live-status")).ToHaveTextAsync(YouAreLive(), new() { Timeout = (float)NodeBack.TotalMilliseconds });
        var liveAgain = clock.Elapsed;
        var second = await StatsAsync(alice);
        Assert.NotEqual(first!.Value.GetProperty("sessionId").GetGuid(), second!.Value.GetProperty("sessionId").GetGuid());

        // Bob did nothing: his page listens to the new stream by itself.
        await Expect(bobPage.Locator("#live-status")).ToHaveTextAsync($"Listening to {alice.UserName}.", new() { Timeout = 20_000 });
        await MediaTestSupport.WaitUntilAsync(async () => (await StatsAsync(alice))?.GetProperty("listeners").GetInt32() == 1, TimeSpan.FromSeconds(15));
        var listeningAgain = clock.Elapsed;
        output.WriteLine($"after kill -9 of the only node: stats 503 in {statsLost.TotalMilliseconds:F0} ms, 'Go live again' offered at " +
            $"{offered.TotalSeconds:F1} s, listener told at {listenerTold.TotalSeconds:F1} s, live again (one click, node restarted) at " +
            $"{liveAgain.TotalSeconds:F1} s, listener connected again at {listeningAgain.TotalSeconds:F1} s");

        await alicePage.Locator("#live-stop").ClickAsync();
        await Expect(alicePage.Locator("#live-go")).ToHaveTextAsync("Go live");
    }

    private static async Task<JsonElement?> StatsAsync(UserSession user)
    {
        using var response = await user.GetAsync($"/api/media/streams/{user.UserName}");
        return response.StatusCode == HttpStatusCode.OK
            ? JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone()
            : null;
    }

    [GeneratedRegex("^You are live")]
    private static partial Regex YouAreLive();
}
