using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AudioStream.ServiceDefaults.Messaging;
using AudioStream.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace AudioStream.MediaTests;

/// <summary>
/// A third-party WHIP client goes live: Debian's <c>whip-client</c> (simple-whip-client, GStreamer's webrtcbin)
/// sends a clip with a stream key through the gateway; a friend listens with Chromium over WHEP.
/// It runs through scripts/whip-client/whip-client-debian12.sh, as the README tells a Debian 12 user to (the package
/// aborts at start without it), with the script's cache in the test's own folder.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class WhipClientTests(AppHostFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private const string WhipClientPath = "/usr/bin/whip-client";
    private const int SampleRate = 48000;
    private static readonly TimeSpan CaptureLength = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(10);

    private readonly string? _clipPath = SharedAudio.Find(Path.Combine("dns-01", "df2_pf.wav"));
    private readonly string _workFolder = Directory.CreateTempSubdirectory("whip-client-").FullName;
    private string LoopedPath => Path.Combine(_workFolder, "clip.wav");
    private LaunchedChromium? _chromium;

    private IBrowser? Browser => _chromium?.Browser;

    public async Task InitializeAsync()
    {
        if (!File.Exists(HeadlessChromium.ExecutablePath) || _clipPath is null)
        {
            return;
        }

        // Three times the clip, so it still plays however long connecting and listening take.
        await File.WriteAllBytesAsync(LoopedPath, Repeat(await File.ReadAllBytesAsync(_clipPath), 3));
        _chromium = await LaunchedChromium.LaunchAsync(HeadlessChromium.Options(LoopedPath));
    }

    public async Task DisposeAsync()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }
        Directory.Delete(_workFolder, recursive: true);
    }

    [SkippableFact]
    public async Task Whip_client_with_a_key_goes_live_a_friend_hears_the_clip_and_its_stop_ends_the_stream()
    {
        SkipUnlessReady();
        var (events, lifetime) = await MediaTestSupport.SubscribeMediaEventsAsync(fixture);
        await using var _ = lifetime;
        using var alice = await new UserSession(fixture).RegisterAsync();
        using var bob = await new UserSession(fixture).RegisterAsync();
        await alice.BefriendAsync(bob);
        var (_, key) = await alice.CreateStreamKeyAsync("whip-client");

        // Trickling (the default): its PATCHes get 405 and it connects with what the offer and answer carry.
        using var client = StartWhipClient(key, "?title=From%20GStreamer&denoise=false", trickle: true);
        var connect = await WaitForAudioAsync(alice, client);
        output.WriteLine($"whip-client (trickle): first audio at the server {connect.TotalMilliseconds:F0} ms after launch");
        var stats = await bob.GetJsonAsync($"/api/media/streams/{alice.UserName}");
        Assert.Equal("From GStreamer", stats.GetProperty("title").GetString());
        var sessionId = stats.GetProperty("sessionId").GetGuid();

        // Bob hears the clip: envelope correlation after Opus, our jitter buffer and Chromium's.
        var bobPage = await LiveAudioEndToEndTests.OpenUserPageAsync(Browser!, output, bob, alice.UserName);
        await bobPage.EvaluateAsync(LiveAudioEndToEndTests.ListenAndRecordScript, alice.UserName);
        await Task.Delay(TimeSpan.FromSeconds(2));
        await bobPage.EvaluateAsync("() => { window.capturing = true; }");
        await Task.Delay(CaptureLength);
        var heard = AudioAnalysis.FromPcm16(Convert.FromBase64String(await bobPage.EvaluateAsync<string>(LiveAudioEndToEndTests.StopRecordingScript)));
        var clip = AudioAnalysis.FromPcm16(LiveAudioEndToEndTests.WavData(await File.ReadAllBytesAsync(LoopedPath)));
        var (offset, envelope) = AudioAnalysis.Align(clip, heard);
        output.WriteLine($"bob vs the clip: envelope r={envelope:F3} at offset {offset}; {heard.Length} samples heard");
        Assert.True(heard.Length >= (CaptureLength.TotalSeconds - 1) * SampleRate, $"bob recorded {heard.Length} samples");
        Assert.True(envelope > 0.8, $"envelope correlation {envelope:F3}");

        // Ctrl-C: whip-client DELETEs its Location with the key, which ends the stream.
        Signal(client, "INT");
        await events.NextForAsync<StreamEnded>(alice.UserName, EventTimeout);
        Assert.True(client.Process.WaitForExit(10_000), "whip-client did not exit after SIGINT");
        await AssertEndedAsync(sessionId, "whip-deleted", client);
        await AssertRecordedForAsync(bob, alice, sessionId);
        await bobPage.Context.CloseAsync();
    }

    [SkippableFact]
    public async Task Whip_client_without_trickle_that_is_killed_ends_by_consent_lapse_and_connects_like_chromium()
    {
        SkipUnlessReady();
        var (events, lifetime) = await MediaTestSupport.SubscribeMediaEventsAsync(fixture);
        await using var _ = lifetime;
        using var alice = await new UserSession(fixture).RegisterAsync();
        var (_, key) = await alice.CreateStreamKeyAsync("whip-client -n");

        using var client = StartWhipClient(key, "", trickle: false);
        var whipClientConnect = await WaitForAudioAsync(alice, client);
        var sessionId = (await alice.GetJsonAsync($"/api/media/streams/{alice.UserName}")).GetProperty("sessionId").GetGuid();
        Assert.True((await alice.GetJsonAsync($"/api/media/streams/{alice.UserName}")).GetProperty("denoise").GetBoolean());

        // kill -9: no DELETE; the stream ends once consent checks stop (RFC 7675).
        client.Process.Kill();
        await events.NextForAsync<StreamEnded>(alice.UserName, TimeSpan.FromSeconds(30));
        await AssertEndedAsync(sessionId, "consent-lapsed", client);

        // The same measurement for the page's path (Chromium, live.js goLive) on the same system.
        var alicePage = await LiveAudioEndToEndTests.OpenUserPageAsync(Browser!, output, alice, alice.UserName);
        var clock = Stopwatch.StartNew();
        await alicePage.EvaluateAsync("async () => { const live = await import('/js/live.js'); window.broadcast = await live.goLive({ denoise: true }); }");
        var chromiumConnect = await WaitForAudioAsync(alice, clock);
        output.WriteLine($"connect (start → first audio at the server): whip-client -n {whipClientConnect.TotalMilliseconds:F0} ms, Chromium {chromiumConnect.TotalMilliseconds:F0} ms");
        await alicePage.EvaluateAsync("async () => await window.broadcast.stop()");
        await alicePage.Context.CloseAsync();
    }

    private void SkipUnlessReady()
    {
        Skip.If(_clipPath is null, "../shared/audio/dns-01/df2_pf.wav is absent: the test needs the shared test audio.");
        Skip.If(Browser is null, $"{HeadlessChromium.ExecutablePath} is not installed (apt-get install chromium).");
        Skip.IfNot(File.Exists(WhipClientPath), $"{WhipClientPath} is not installed (apt-get install simple-whip-client).");
        Skip.IfNot(File.Exists("/usr/bin/gcc"), "gcc is not installed: Debian 12's whip-client needs the stub it builds (apt-get install gcc libc6-dev).");
    }

    private WhipClient StartWhipClient(string key, string query, bool trickle)
    {
        // bash execs whip-client: the process (and its pid, for signals) becomes whip-client's.
        var start = new ProcessStartInfo("/bin/bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["XDG_CACHE_HOME"] = _workFolder },
            ArgumentList =
            {
                Path.Combine(AppContext.BaseDirectory, "WhipClient", "whip-client-debian12.sh"),
                "-u", new Uri(fixture.App.GetEndpoint("gateway", "http"), "/api/media/whip" + query).ToString(),
                "-t", key,
                // clocksync plays the file in real time (webrtcbin would take it as fast as it is read).
                "-A", $"filesrc location={LoopedPath} ! wavparse ! clocksync ! audioconvert ! audioresample ! opusenc ! rtpopuspay pt=111 ssrc=1 ! queue ! application/x-rtp,media=audio,encoding-name=OPUS,payload=111",
                "-o",
            },
        };
        if (!trickle)
        {
            start.ArgumentList.Add("-n");
        }

        var client = new WhipClient(Stopwatch.StartNew(), Process.Start(start)!);
        client.Process.OutputDataReceived += (_, line) => client.Log(line.Data);
        client.Process.ErrorDataReceived += (_, line) => client.Log(line.Data);
        client.Process.BeginOutputReadLine();
        client.Process.BeginErrorReadLine();
        return client;
    }

    private async Task<TimeSpan> WaitForAudioAsync(UserSession owner, WhipClient client)
    {
        try
        {
            return await WaitForAudioAsync(owner, client.Clock);
        }
        catch (TimeoutException)
        {
            output.WriteLine(client.Output);
            throw;
        }
    }

    /// <summary>Time on <paramref name="clock"/> when the owner's stream stats first count an RTP packet from the broadcaster.</summary>
    private static async Task<TimeSpan> WaitForAudioAsync(UserSession owner, Stopwatch clock)
    {
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            using var response = await owner.GetAsync($"/api/media/streams/{owner.UserName}");
            if (response.StatusCode == HttpStatusCode.OK
                && (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("delivery").GetProperty("packetsReceived").GetInt64() > 0)
            {
                return clock.Elapsed;
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"{owner.UserName}'s stream received no audio within 20 s.");
    }

    /// <summary>MediaService logs why each stream ended.</summary>
    private async Task AssertEndedAsync(Guid sessionId, string reason, WhipClient client)
    {
        var ended = (await MediaTestSupport.LogsAsync(fixture, "media")).LastOrDefault(line => line.Contains($"Stream {sessionId} ", StringComparison.Ordinal) && line.Contains("ended:", StringComparison.Ordinal));
        output.WriteLine(ended ?? "(no end logged)");
        if (ended?.EndsWith($"ended: {reason}", StringComparison.Ordinal) != true)
        {
            output.WriteLine(client.Output);
        }
        Assert.EndsWith($"ended: {reason}", ended?.TrimEnd(), StringComparison.Ordinal);
    }

    private async Task AssertRecordedForAsync(UserSession friend, UserSession owner, Guid sessionId)
    {
        JsonElement recording = default;
        var until = Stopwatch.StartNew();
        while (until.Elapsed < TimeSpan.FromSeconds(20))
        {
            using var response = await friend.GetAsync($"/api/recordings/{sessionId}");
            if (response.StatusCode == HttpStatusCode.OK
                && (recording = await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString() == "complete")
            {
                break;
            }
            await Task.Delay(250);
        }

        Assert.Equal(JsonValueKind.Object, recording.ValueKind);
        output.WriteLine($"recording for {friend.UserName}: {recording}");
        Assert.Equal("complete", recording.GetProperty("status").GetString());
        Assert.Equal(owner.UserName, recording.GetProperty("owner").GetString());
        Assert.True(recording.GetProperty("durationSeconds").GetDouble() > CaptureLength.TotalSeconds);
    }

    private static void Signal(WhipClient client, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", client.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>The WAV file with its data chunk repeated: same format, <paramref name="times"/> as long.</summary>
    private static byte[] Repeat(byte[] wav, int times)
    {
        var data = LiveAudioEndToEndTests.WavData(wav);
        var header = wav.AsSpan(0, wav.AsSpan().IndexOf("data"u8) + 8).ToArray();
        var looped = new byte[header.Length + (data.Length * times)];
        header.CopyTo(looped, 0);
        for (var i = 0; i < times; i++)
        {
            data.CopyTo(looped, header.Length + (i * data.Length));
        }
        BitConverter.TryWriteBytes(looped.AsSpan(4), looped.Length - 8);
        BitConverter.TryWriteBytes(looped.AsSpan(header.Length - 4), data.Length * times);
        return looped;
    }

    private sealed class WhipClient(Stopwatch clock, Process process) : IDisposable
    {
        private readonly StringBuilder _output = new();

        public Stopwatch Clock { get; } = clock;

        public Process Process { get; } = process;

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public void Log(string? line)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill();
                Process.WaitForExit();
            }
            Process.Dispose();
        }
    }
}
