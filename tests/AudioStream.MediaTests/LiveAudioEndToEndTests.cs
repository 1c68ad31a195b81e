using AudioStream.Testing;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AudioStream.MediaService.Grpc;
using AudioStream.ServiceDefaults.Messaging;
using Grpc.Core;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace AudioStream.MediaTests;

/// <summary>
/// The whole live path with real Chromium: alice's page goes live (fake microphone playing noisy.wav, denoise on)
/// through live.js; bob's page listens over WHEP and records what it plays; the test reads the server's processed
/// and raw tracks over gRPC and compares.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class LiveAudioEndToEndTests(AppHostFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private const string ChromiumPath = HeadlessChromium.ExecutablePath;
    private const int SampleRate = 48000;
    private static readonly TimeSpan CaptureLength = TimeSpan.FromSeconds(8);

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
    public async Task A_friend_hears_the_denoised_stream_the_server_produces()
    {
        Skip.If(_wavPath is null, "../shared/audio/dns-01/noisy.wav is absent: the live audio test needs the shared test audio.");
        Skip.If(Browser is null, $"{ChromiumPath} is not installed (apt-get install chromium).");
        var clock = Stopwatch.StartNew();

        var (events, eventsLifetime) = await MediaTestSupport.SubscribeMediaEventsAsync(fixture);
        await using var _ = eventsLifetime;
        var (media, mediaLifetime) = await MediaTestSupport.CreateMediaClientAsync(fixture);
        await using var __ = mediaLifetime;
        using var alice = await new UserSession(fixture).RegisterAsync();
        using var bob = await new UserSession(fixture).RegisterAsync();
        await alice.BefriendAsync(bob);
        await using var bobPresence = await PresenceClient.ConnectAsync(bob);
        await bobPresence.WaitForTypeAsync("all_statuses");

        var alicePage = await OpenUserPageAsync(alice, alice.UserName);
        var bobPage = await OpenUserPageAsync(bob, alice.UserName);

        // Alice goes live with live.js's own goLive (getUserMedia without browser processing, WHIP).
        var sessionId = await alicePage.EvaluateAsync<string>(
            "async () => { const live = await import('/js/live.js'); window.broadcast = await live.goLive({ denoise: true }); return window.broadcast.sessionId; }");
        var live = clock.Elapsed;
        await events.NextForAsync<StreamStarted>(alice.UserName, TimeSpan.FromSeconds(5));
        await bobPresence.WaitForTypeAsync("streaming_status_update", IsStreaming(alice.UserName, true));

        using var processedCall = media.Subscribe(new SubscribeRequest { StreamId = sessionId, Track = Track.Processed });
        using var rawCall = media.Subscribe(new SubscribeRequest { StreamId = sessionId, Track = Track.Raw });
        var processed = TrackRecording.Start(processedCall);
        var raw = TrackRecording.Start(rawCall);

        // Bob listens with live.js's listen(), and records what his browser plays.
        await bobPage.EvaluateAsync(ListenAndRecordScript, alice.UserName);
        var listening = clock.Elapsed;
        Assert.Equal(1, (await events.NextForAsync<ListenerCountChanged>(alice.UserName, TimeSpan.FromSeconds(5))).Listeners);
        var stats = await bob.GetJsonAsync($"/api/media/streams/{alice.UserName}");
        Assert.Equal(1, stats.GetProperty("listeners").GetInt32());
        bool denoiserAvailable = stats.GetProperty("denoiser").GetProperty("available").GetBoolean();

        await Task.Delay(TimeSpan.FromSeconds(3)); // past the start-up of both browsers
        await bobPage.EvaluateAsync("() => { window.capturing = true; }");
        await Task.Delay(CaptureLength);
        var heard = AudioAnalysis.FromPcm16(Convert.FromBase64String(await bobPage.EvaluateAsync<string>(StopRecordingScript)));
        var browserStats = await bobPage.EvaluateAsync<string>(InboundStatsScript);
        stats = await bob.GetJsonAsync($"/api/media/streams/{alice.UserName}");
        output.WriteLine($"live after {live.TotalSeconds:F1} s, listening after {listening.TotalSeconds:F1} s; stream stats {stats}");
        output.WriteLine($"bob's inbound-rtp: {browserStats}");

        // RTCP both ways, as Chromium reads it: our receiver reports reach alice's sender (loss, and RTT from
        // LSR/DLSR), our sender reports reach bob's receiver.
        var aliceRemote = JsonDocument.Parse(await alicePage.EvaluateAsync<string>(RemoteStatsScript, "broadcast")).RootElement;
        var bobRemote = JsonDocument.Parse(await bobPage.EvaluateAsync<string>(RemoteStatsScript, "listening")).RootElement;
        output.WriteLine($"alice's remote-inbound-rtp (our RR): {aliceRemote}; bob's remote-outbound-rtp (our SR): {bobRemote}");
        Assert.Equal(0, aliceRemote.GetProperty("inbound").GetProperty("packetsLost").GetInt64());
        Assert.InRange(aliceRemote.GetProperty("inbound").GetProperty("roundTripTime").GetDouble(), 0, 0.5);
        Assert.True(bobRemote.GetProperty("outbound").GetProperty("packetsSent").GetInt64() > 100);

        // Bob switches to the original on the same connection (no new WHEP session) and records again.
        await bobPage.EvaluateAsync("async () => { await window.listening.setTrack('original'); window.captured = []; }");
        await Task.Delay(TimeSpan.FromSeconds(1)); // what the browser had buffered of the cleaned track plays out
        await bobPage.EvaluateAsync("() => { window.capturing = true; }");
        await Task.Delay(CaptureLength);
        var heardOriginal = AudioAnalysis.FromPcm16(Convert.FromBase64String(await bobPage.EvaluateAsync<string>(StopRecordingScript)));
        Assert.Equal("connected", await bobPage.EvaluateAsync<string>("() => window.listening.pc.connectionState"));

        // Alice stops from her page: 200 with the summary, then everything winds down.
        var summary = await alicePage.EvaluateAsync<JsonElement>("async () => await window.broadcast.stop()");
        Assert.Equal(sessionId, summary.GetProperty("sessionId").GetString());
        var stopped = clock.Elapsed;
        await events.NextForAsync<StreamEnded>(alice.UserName, TimeSpan.FromSeconds(5));
        await bobPresence.WaitForTypeAsync("streaming_status_update", IsStreaming(alice.UserName, false));
        var presenceFlipped = clock.Elapsed - stopped;
        await Task.WhenAll(processed.Completion, raw.Completion).WaitAsync(TimeSpan.FromSeconds(15));
        // The server hangs up on listeners once the denoiser's tail has played (DTLS close_notify, then no more
        // consent answers); bob's page learns that the stream ended from the stats poll.
        var bobState = await WaitForAsync(bobPage, "() => window.listening.pc.connectionState", s => s != "connected", TimeSpan.FromSeconds(15));
        var bobStatus = await WaitForAsync(bobPage, "() => document.querySelector('#live-status').textContent", s => s.Contains("ended", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        output.WriteLine($"after stop: presence flipped in {presenceFlipped.TotalMilliseconds:F0} ms; bob's connection {bobState}, page says \"{bobStatus}\"; gRPC processed {processed.Chunks.Count} chunks, raw {raw.Chunks.Count} chunks");
        Assert.NotEqual("connected", bobState);
        Assert.Contains("ended", bobStatus, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, await UserSession.StatusOfAsync(bob.GetAsync($"/api/media/streams/{alice.UserName}")));

        // gRPC: contiguous sequence numbers from 0, abutting sample offsets, 48 kHz 16-bit.
        processed.AssertContiguous();
        raw.AssertContiguous();

        // After the switch bob hears the microphone as sent: it follows the raw track, noise included.
        var rawSamples = raw.Samples();
        var (originalOffset, originalEnvelope) = AudioAnalysis.Align(rawSamples, heardOriginal);
        var originalFrames = Enumerable.Range(0, Math.Min(heardOriginal.Length, rawSamples.Length - originalOffset) / 960)
            .Select(i => i * 960)
            .Select(at => (Input: AudioAnalysis.EnergyDb(rawSamples.AsSpan(originalOffset + at, 960)), Heard: AudioAnalysis.EnergyDb(heardOriginal.AsSpan(at, 960))))
            .OrderBy(f => f.Input)
            .ToList();
        var quietOriginal = originalFrames.Take(originalFrames.Count / 5).ToList();
        double originalInputDb = quietOriginal.Average(f => f.Input), originalHeardDb = quietOriginal.Average(f => f.Heard);
        output.WriteLine($"after switching to the original: envelope r={originalEnvelope:F3} against the raw track; noise-only frames: input {originalInputDb:F1} dB, heard {originalHeardDb:F1} dB");
        Assert.True(originalEnvelope > 0.9, $"after the switch bob's audio follows the raw track at only r={originalEnvelope:F3}");
        Assert.InRange(originalHeardDb, originalInputDb - 6, originalInputDb + 6);

        // The stream became a recording (checked before the listening measurements, which a loaded machine can upset).
        await AssertRecordedAsync(alice, bob, summary.GetProperty("recordingId").GetString()!, processed);

        // What bob heard is the server's processed track (after Opus and the browser's jitter buffer).
        var reference = processed.Samples();
        Assert.True(heard.Length >= (CaptureLength.TotalSeconds - 1) * SampleRate, $"bob recorded {heard.Length} samples");
        var (offset, envelopeCorrelation) = AudioAnalysis.Align(reference, heard);
        var segments = AudioAnalysis.SegmentCorrelations(reference, offset, heard);
        output.WriteLine($"bob vs processed: envelope r={envelopeCorrelation:F3}, waveform r per 200 ms [{string.Join(", ", segments.Select(r => r.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))}] at offset {offset}");
        Assert.True(envelopeCorrelation > 0.9, $"envelope correlation {envelopeCorrelation:F3}");
        // Chromium's jitter buffer time-stretches (accelerate/expand, a pitch period at a time) while it settles, and
        // for as long as a loaded machine keeps it busy; each stretch moves the alignment. Between stretches the audio
        // is the processed track sample by sample: a quarter of the 40 ms segments match at r > 0.8 (an idle machine:
        // nearly all; a quarter of the 200 ms ones too). A wrong decoder, rate or track matches none.
        var shortSegments = AudioAnalysis.SegmentCorrelations(reference, offset, heard, slack: 960, segment: 1920);
        var matching = shortSegments.Count(r => r > 0.8) / (double)shortSegments.Length;
        output.WriteLine($"40 ms segments matching at r > 0.8: {matching:P0}; 200 ms: {segments.Count(r => r > 0.8) / (double)segments.Length:P0}");
        Assert.True(matching >= 0.25, $"only {matching:P0} of 40 ms segments match the processed track sample by sample");
        var versusRaw = AudioAnalysis.SegmentCorrelations(raw.Samples(), (int)((long)(processed.FirstOffset + (ulong)offset) - (long)raw.FirstOffset), heard);
        output.WriteLine($"bob vs raw (control): median waveform r {AudioAnalysis.Median(versusRaw):F3}");

        // Noise-only parts: the quietest fifth of the microphone's 20 ms frames (same timeline as processed).
        long rawStart = (long)(processed.FirstOffset + (ulong)offset) - (long)raw.FirstOffset;
        var input = raw.Samples();
        // The raw subscription began when the processed one did, i.e. ~the denoiser's delay later on the timeline; when
        // the stream's delay has grown under load, the start of what bob heard may predate it: use the overlap.
        long from = Math.Max(0, -rawStart), to = Math.Min(heard.Length, input.Length - rawStart);
        Assert.True(to - from >= 3 * SampleRate, $"the raw track overlaps what bob heard by only {(to - from) / (double)SampleRate:F1} s (raw from {rawStart})");
        var frames = Enumerable.Range(0, (int)((to - from) / 960))
            .Select(i => (int)from + (i * 960))
            .Select(at => (Input: AudioAnalysis.EnergyDb(input.AsSpan((int)(rawStart + at), 960)), Heard: AudioAnalysis.EnergyDb(heard.AsSpan(at, 960))))
            .OrderBy(f => f.Input)
            .ToList();
        var quiet = frames.Take(frames.Count / 5).ToList();
        double inputDb = quiet.Average(f => f.Input);
        double heardDb = quiet.Average(f => f.Heard);
        output.WriteLine($"noise-only frames: input {inputDb:F1} dB, heard {heardDb:F1} dB ({heardDb - inputDb:F1} dB); denoiser available {denoiserAvailable}; total {clock.Elapsed.TotalSeconds:F1} s");
        if (denoiserAvailable)
        {
            Assert.True(heardDb < inputDb - 10, $"denoised audio should be much quieter than the input where there is only noise ({heardDb:F1} vs {inputDb:F1} dB)");
        }

        if (denoiserAvailable)
        {
            Assert.True(originalHeardDb > heardDb + 10, $"the original carries the noise the cleaned track lacks ({originalHeardDb:F1} vs {heardDb:F1} dB)");
        }
    }

    [SkippableFact]
    public async Task Two_friends_use_the_page_controls_to_go_live_listen_and_stop()
    {
        Skip.If(_wavPath is null, "../shared/audio/dns-01/noisy.wav is absent: the live audio test needs the shared test audio.");
        Skip.If(Browser is null, $"{ChromiumPath} is not installed (apt-get install chromium).");
        using var alice = await new UserSession(fixture).RegisterAsync();
        using var bob = await new UserSession(fixture).RegisterAsync();
        await alice.BefriendAsync(bob);
        var alicePage = await OpenUserPageAsync(alice, alice.UserName);
        // Bob is on a phone (390 px), alice on a desktop.
        var bobPage = await OpenUserPageAsync(bob, alice.UserName, new ViewportSize { Width = 390, Height = 844 });
        var errors = new List<string>();
        foreach (var page in new[] { alicePage, bobPage })
        {
            page.PageError += (_, message) => errors.Add(message);
        }

        await Assertions.Expect(bobPage.Locator("#live-status")).ToHaveTextAsync($"{alice.UserName} is not live.");
        await Assertions.Expect(bobPage.Locator("#live-listen")).ToBeHiddenAsync();
        await Assertions.Expect(bobPage.Locator("#live-volume")).ToBeHiddenAsync();
        await Assertions.Expect(alicePage.Locator("#recordings")).ToContainTextAsync("No recordings yet");
        // Marks the documents: still there at the end means the lists updated without a reload.
        foreach (var page in new[] { alicePage, bobPage })
        {
            await page.EvaluateAsync("() => { window.notReloaded = true; }");
        }

        // Alice: title, noise removal on (the default), Go live.
        await Assertions.Expect(alicePage.Locator("#live-denoise")).ToBeCheckedAsync();
        await alicePage.Locator("#live-title").FillAsync("Morning show");
        await alicePage.Locator("#live-go").ClickAsync();
        await Assertions.Expect(alicePage.Locator("#live-status")).ToHaveTextAsync("You are live (noise removal on).", new() { Timeout = 20_000 });
        await Assertions.Expect(alicePage.Locator("#live-go")).ToBeHiddenAsync();
        await Assertions.Expect(alicePage.Locator("#live-elapsed")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+:\d\d$"));
        // The meter follows the (fake) microphone.
        var level = await WaitForAsync(alicePage, "() => String(document.querySelector('#live-level').value)", v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture) > 0, TimeSpan.FromSeconds(10));
        Assert.True(double.Parse(level, System.Globalization.CultureInfo.InvariantCulture) > 0, $"mic level {level}");

        // Bob's page notices within its refresh, listens, turns the volume down.
        await Assertions.Expect(bobPage.Locator("#live-status")).ToHaveTextAsync($"{alice.UserName} is live: Morning show.", new() { Timeout = 15_000 });
        await bobPage.Locator("#live-listen").ClickAsync();
        await Assertions.Expect(bobPage.Locator("#live-status")).ToHaveTextAsync($"Listening to {alice.UserName}.", new() { Timeout = 20_000 });
        await bobPage.Locator("#live-volume").FillAsync("0.5");
        // The Cleaned / Original switch changes what he hears on the same connection (measured in the test above).
        await bobPage.Locator("#live-track").GetByText("Original").ClickAsync();
        await Assertions.Expect(bobPage.Locator("#live-status")).ToHaveTextAsync($"Listening to {alice.UserName} (original).");
        await bobPage.Locator("#live-track").GetByText("Cleaned").ClickAsync();
        await Assertions.Expect(bobPage.Locator("#live-status")).ToHaveTextAsync($"Listening to {alice.UserName} (cleaned).");
        await Assertions.Expect(alicePage.Locator("#live-listeners")).ToHaveTextAsync("1 listener", new() { Timeout = 15_000 });
        // The recording in progress appears in alice's own list and bob's, pushed over the presence socket.
        await Assertions.Expect(alicePage.Locator("#recordings li.recording")).ToContainTextAsync("recording…", new() { Timeout = 10_000 });
        await Assertions.Expect(bobPage.Locator("#recordings li.recording")).ToContainTextAsync("Morning show", new() { Timeout = 10_000 });
        output.WriteLine($"Screenshots: {await ScreenshotAsync(alicePage, "live-owner-desktop.png")}, {await ScreenshotAsync(bobPage, "live-listener-phone.png")}");

        // Bob stops; alice's count goes back; bob listens again; alice ends the stream and bob's page says so.
        await bobPage.Locator("#live-stop").ClickAsync();
        // "Stopped listening." until the page's next stats refresh says the stream is still on.
        await Assertions.Expect(bobPage.Locator("#live-status")).ToHaveTextAsync(
            new System.Text.RegularExpressions.Regex($@"^(Stopped listening\.|{alice.UserName} is live: Morning show\.)$"));
        await Assertions.Expect(bobPage.Locator("#live-stop")).ToBeHiddenAsync();
        await Assertions.Expect(alicePage.Locator("#live-listeners")).ToHaveTextAsync("0 listeners", new() { Timeout = 15_000 });
        await Assertions.Expect(bobPage.Locator("#live-listen")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await bobPage.Locator("#live-listen").ClickAsync();
        await Assertions.Expect(bobPage.Locator("#live-status")).ToHaveTextAsync($"Listening to {alice.UserName}.", new() { Timeout = 20_000 });

        await alicePage.Locator("#live-stop").ClickAsync();
        await Assertions.Expect(alicePage.Locator("#live-status")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^Stream ended after \d+:\d\d\.$"), new() { Timeout = 15_000 });
        await Assertions.Expect(alicePage.Locator("#live-go")).ToBeVisibleAsync();
        await Assertions.Expect(bobPage.Locator("#live-status")).ToHaveTextAsync($"{alice.UserName}'s stream ended.", new() { Timeout = 15_000 });
        await Assertions.Expect(bobPage.Locator("#live-stop")).ToBeHiddenAsync();
        // No stale controls once the stream is over.
        await Assertions.Expect(bobPage.Locator("#live-volume")).ToBeHiddenAsync();
        // The finished recording replaces "recording…" in both lists, still without a reload.
        foreach (var page in new[] { alicePage, bobPage })
        {
            var item = page.Locator("#recordings li.recording");
            await Assertions.Expect(item).ToHaveCountAsync(1);
            await Assertions.Expect(item).Not.ToContainTextAsync("recording…", new() { Timeout = 20_000 });
            await Assertions.Expect(item.Locator(".recording-duration")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d\d:\d\d$"));
            Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"), "the page was reloaded");
        }
        // Bob plays it back on his phone: 2× speed, the waveform as a seek bar by keys, the original track.
        var player = bobPage.Locator("#recordings li.recording");
        await player.Locator("select.speed").SelectOptionAsync("2");
        // A phone does not preload media: play it (muted) as a person pressing play would.
        await bobPage.EvaluateAsync("async () => { const audio = document.querySelector('#recordings audio'); audio.muted = true; await audio.play(); audio.pause(); }");
        Assert.Equal(2.0, await bobPage.EvaluateAsync<double>("() => document.querySelector('#recordings audio').playbackRate"));
        var waveform = player.Locator("canvas.waveform");
        await waveform.FocusAsync();
        await waveform.PressAsync("ArrowRight");
        Assert.InRange(await bobPage.EvaluateAsync<double>("() => document.querySelector('#recordings audio').currentTime"), 4.9, 5.5);
        await waveform.PressAsync("End");
        await Assertions.Expect(waveform).Not.ToHaveAttributeAsync("aria-valuenow", "0");
        await waveform.PressAsync("Home");
        Assert.Equal(0.0, await bobPage.EvaluateAsync<double>("() => document.querySelector('#recordings audio').currentTime"), 1);
        await player.GetByText("Original").ClickAsync();
        await Assertions.Expect(player.Locator("audio")).ToHaveAttributeAsync("src", new System.Text.RegularExpressions.Regex("track=original$"));
        await bobPage.EvaluateAsync("async () => { const audio = document.querySelector('#recordings audio'); await audio.play(); audio.pause(); }");
        Assert.Equal(2.0, await bobPage.EvaluateAsync<double>("() => document.querySelector('#recordings audio').playbackRate"));
        output.WriteLine($"Screenshots: {await ScreenshotAsync(alicePage, "ended-owner-desktop.png")}, {await ScreenshotAsync(bobPage, "ended-listener-phone.png")}");
        Assert.Empty(errors);
        await alicePage.Context.CloseAsync();
        await bobPage.Context.CloseAsync();
    }

    [SkippableFact]
    public async Task A_recording_survives_a_crash_of_the_recording_service()
    {
        Skip.If(_wavPath is null, "../shared/audio/dns-01/noisy.wav is absent: the live audio test needs the shared test audio.");
        Skip.If(Browser is null, $"{ChromiumPath} is not installed (apt-get install chromium).");
        var (media, mediaLifetime) = await MediaTestSupport.CreateMediaClientAsync(fixture);
        await using var _ = mediaLifetime;
        using var alice = await new UserSession(fixture).RegisterAsync();
        var alicePage = await OpenUserPageAsync(alice, alice.UserName);
        var sessionId = await alicePage.EvaluateAsync<string>(
            "async () => { const live = await import('/js/live.js'); window.broadcast = await live.goLive({ denoise: false }); return window.broadcast.sessionId; }");
        using var processedCall = media.Subscribe(new SubscribeRequest { StreamId = sessionId, Track = Track.Processed });
        var processed = TrackRecording.Start(processedCall);
        await Task.Delay(TimeSpan.FromSeconds(6));

        // kill -9: no shutdown code runs, exactly like a crash.
        using (var recordingService = FindRecordingServiceProcess())
        {
            recordingService.Kill();
            await recordingService.WaitForExitAsync();
        }
        var capturedAtKill = (processed.FirstOffset + (ulong)processed.Samples().Length) / (double)SampleRate;
        await Task.Delay(TimeSpan.FromSeconds(2));
        await fixture.App.Services.GetRequiredService<ResourceCommandService>()
            .ExecuteCommandAsync("recordings", KnownResourceCommands.StartCommand);
        using (var healthy = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync("recordings", healthy.Token);
        }
        await Task.Delay(TimeSpan.FromSeconds(3));

        await alicePage.EvaluateAsync<JsonElement>("async () => await window.broadcast.stop()");
        await processed.Completion.WaitAsync(TimeSpan.FromSeconds(15));
        var streamed = (processed.FirstOffset + (ulong)processed.Samples().Length) / (double)SampleRate;

        JsonElement metadata = default;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            using var response = await alice.GetAsync($"/api/recordings/{sessionId}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                metadata = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (metadata.GetProperty("status").GetString() is "complete" or "repaired")
                {
                    break;
                }
            }
            await Task.Delay(250);
        }
        Assert.Equal(JsonValueKind.Object, metadata.ValueKind);
        var status = metadata.GetProperty("status").GetString();
        var duration = metadata.GetProperty("durationSeconds").GetDouble();
        output.WriteLine($"after a kill at {capturedAtKill:F2} s of a {streamed:F2} s stream the recording is {status}, {duration:F2} s");
        Assert.True(status is "complete" or "repaired", $"status {status}");
        // Either the recording stopped at the crash (repaired) or it resumed with the gap filled with silence.
        Assert.True(Math.Abs(duration - capturedAtKill) <= 1 || Math.Abs(duration - streamed) <= 1,
            $"duration {duration:F2} s matches neither the audio captured up to the kill ({capturedAtKill:F2} s) nor the whole stream ({streamed:F2} s)");
        // What the killed recorder left is a whole Ogg Opus file that decodes to the duration it reports.
        using var audio = await alice.GetAsync($"/api/recordings/{sessionId}/audio");
        Assert.Equal(HttpStatusCode.OK, audio.StatusCode);
        Assert.Equal("audio/ogg", audio.Content.Headers.ContentType?.MediaType);
        using var wav = await alice.GetAsync($"/api/recordings/{sessionId}/audio?format=wav");
        var decodedSeconds = WavData(await wav.Content.ReadAsByteArrayAsync()).Length / 2.0 / SampleRate;
        // At least what the row says (a resumed recording may have grown since), at most the whole stream.
        Assert.InRange(decodedSeconds, duration - 0.05, streamed + 0.5);
    }

    /// <summary>This run's RecordingService process: the one whose storage root is under the fixture's data root.</summary>
    private Process FindRecordingServiceProcess()
    {
        foreach (var process in Process.GetProcesses())
        {
            try
            {
                var commandLine = File.ReadAllText($"/proc/{process.Id}/cmdline");
                if (commandLine.Contains("bin/Debug/net10.0/RecordingService", StringComparison.Ordinal)
                    && !commandLine.StartsWith("dotnet", StringComparison.Ordinal)
                    && File.ReadAllText($"/proc/{process.Id}/environ").Contains(fixture.DataRoot, StringComparison.Ordinal))
                {
                    return process;
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
            process.Dispose();
        }
        throw new InvalidOperationException("This run's RecordingService process was not found.");
    }

    /// <summary>
    /// The stream became a recording (recording id = session id): its duration is the processed track's length on the
    /// stream timeline (±0.2 s), it plays through Range requests, its samples are the processed track's, and the
    /// friend may play but not rename or delete it.
    /// </summary>
    private async Task AssertRecordedAsync(UserSession owner, UserSession friend, string recordingId, TrackRecording processed)
    {
        JsonElement metadata = default;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            using var response = await friend.GetAsync($"/api/recordings/{recordingId}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                metadata = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (metadata.GetProperty("status").GetString() == "complete")
                {
                    break;
                }
            }
            await Task.Delay(250);
        }
        Assert.Equal("complete", metadata.ValueKind == JsonValueKind.Object ? metadata.GetProperty("status").GetString() : null);
        Assert.Equal(owner.UserName, metadata.GetProperty("owner").GetString());
        Assert.True(metadata.GetProperty("denoise").GetBoolean());

        var streamedSeconds = (processed.FirstOffset + (ulong)processed.Samples().Length) / (double)SampleRate;
        var recordedSeconds = metadata.GetProperty("durationSeconds").GetDouble();
        output.WriteLine($"recording {recordingId}: {recordedSeconds:F2} s recorded, {streamedSeconds:F2} s streamed, {metadata.GetProperty("duration").GetString()}");
        Assert.InRange(recordedSeconds, streamedSeconds - 0.2, streamedSeconds + 0.2);

        // Stored as Ogg Opus: a Range request from the middle of the file, as a player seeking does.
        using var stored = await friend.GetAsync($"/api/recordings/{recordingId}/audio");
        Assert.Equal("audio/ogg", stored.Content.Headers.ContentType?.MediaType);
        var oggBytes = (await stored.Content.ReadAsByteArrayAsync()).Length;
        using var rangeRequest = new HttpRequestMessage(HttpMethod.Get, $"/api/recordings/{recordingId}/audio");
        rangeRequest.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(oggBytes / 2, (oggBytes / 2) + 999);
        using var partial = await friend.SendAsync(rangeRequest);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(1000, (await partial.Content.ReadAsByteArrayAsync()).Length);

        // The WAV download is converted on the fly and lines up with the live processed track sample for sample.
        using var whole = await friend.GetAsync($"/api/recordings/{recordingId}/download?format=wav");
        Assert.Equal("audio/wav", whole.Content.Headers.ContentType?.MediaType);
        var wav = await whole.Content.ReadAsByteArrayAsync();
        output.WriteLine($"recording {recordingId}: Ogg Opus {oggBytes} B, as WAV {wav.Length} B ({(double)wav.Length / oggBytes:F1}x)");
        Assert.True(oggBytes * 8 <= wav.Length, $"the Ogg Opus track ({oggBytes} B) is more than an eighth of its WAV ({wav.Length} B)");
        var recorded = AudioAnalysis.FromPcm16(WavData(wav));
        var reference = processed.Samples();
        var start = (int)processed.FirstOffset;
        Assert.True(start + reference.Length <= recorded.Length + 960, $"the recording ({recorded.Length} samples) covers the processed track up to {start + reference.Length}");
        var overlap = Math.Min(reference.Length, recorded.Length - start);
        var lags = Enumerable.Range(-960, 1921).Where(lag => start + lag >= 0 && start + lag + overlap <= recorded.Length).ToArray();
        var best = lags.MaxBy(lag => AudioAnalysis.Correlation(recorded.AsSpan(start + lag, overlap), reference.AsSpan(0, overlap)));
        var correlation = AudioAnalysis.Correlation(recorded.AsSpan(start, overlap), reference.AsSpan(0, overlap));
        output.WriteLine($"recording vs processed track: r = {correlation:F4} over {overlap / (double)SampleRate:F1} s, best lag {best} samples");
        // Opus is lossy (r is below a WAV's 1.0) but keeps the timeline: the best fit is at lag 0 within the codec's filter phase.
        Assert.InRange(best, -4, 4);
        Assert.True(correlation > 0.9, $"recorded audio correlates with the processed track at only {correlation:F3}");

        Assert.Equal(HttpStatusCode.Forbidden, await UserSession.StatusOfAsync(friend.DeleteAsync($"/api/recordings/{recordingId}")));
    }

    /// <summary>The samples of a WAV file's data chunk.</summary>
    internal static byte[] WavData(byte[] wav)
    {
        for (int at = 12; at + 8 <= wav.Length;)
        {
            var size = BitConverter.ToInt32(wav, at + 4);
            if (wav.AsSpan(at, 4).SequenceEqual("data"u8))
            {
                return wav.AsSpan(at + 8, Math.Min(size, wav.Length - at - 8)).ToArray();
            }
            at += 8 + size + (size & 1);
        }
        throw new InvalidDataException("The recording has no data chunk.");
    }

    private static Func<JsonElement, bool> IsStreaming(string userName, bool streaming) =>
        m => m.GetProperty("username").GetString() == userName && m.GetProperty("isStreaming").GetBoolean() == streaming;

    private Task<IPage> OpenUserPageAsync(UserSession user, string pageOf, ViewportSize? viewport = null) =>
        OpenUserPageAsync(Browser!, output, user, pageOf, viewport);

    /// <summary>A page of the site in its own browser context, signed in as <paramref name="user"/>; a viewport makes it a phone.</summary>
    internal static async Task<IPage> OpenUserPageAsync(IBrowser browser, ITestOutputHelper output, UserSession user, string pageOf, ViewportSize? viewport = null)
    {
        var context = await browser.NewContextAsync(viewport is null ? new() : new() { ViewportSize = viewport, IsMobile = true, HasTouch = true });
        var origin = user.BaseAddress;
        await context.AddCookiesAsync(user.Cookies.GetCookies(origin).Select(cookie => new Microsoft.Playwright.Cookie
        {
            Name = cookie.Name,
            Value = cookie.Value,
            Url = origin.GetLeftPart(UriPartial.Authority),
        }));
        var page = await context.NewPageAsync();
        page.Console += (_, message) => output.WriteLine($"[{user.UserName} console] {message.Text}");
        var response = await page.GotoAsync(new Uri(origin, $"/user/{pageOf}").ToString());
        Assert.Equal(200, response?.Status);
        return page;
    }

    /// <summary>Saves the whole page for a person to look at (the folder the browser tests use too).</summary>
    private static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(Path.GetTempPath(), "audiostream-browser-tests");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        return path;
    }

    private static async Task<string> WaitForAsync(IPage page, string expression, Func<string, bool> done, TimeSpan timeout)
    {
        var until = Stopwatch.StartNew();
        string value;
        do
        {
            value = await page.EvaluateAsync<string>(expression);
            if (done(value))
            {
                return value;
            }

            await Task.Delay(200);
        }
        while (until.Elapsed < timeout);
        return value;
    }

    internal const string ListenAndRecordScript = """
        async username => {
          const live = await import('/js/live.js');
          const listening = await live.listen(username);
          window.listening = listening;
          const context = new AudioContext({ sampleRate: 48000 });
          await context.resume();
          const source = context.createMediaStreamSource(listening.stream);
          // Captured on the audio thread (an AudioWorklet): a busy main thread delays the messages but loses none,
          // where a ScriptProcessorNode drops whole buffers and breaks the sample alignment the test checks.
          const capture = `registerProcessor('capture', class extends AudioWorkletProcessor {
            process(inputs) { const ch = inputs[0][0]; this.port.postMessage(ch ? ch.slice(0) : new Float32Array(128)); return true; }
          });`;
          await context.audioWorklet.addModule(URL.createObjectURL(new Blob([capture], { type: 'text/javascript' })));
          const recorder = new AudioWorkletNode(context, 'capture', { numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1, channelCountMode: 'explicit' });
          window.captured = [];
          window.capturing = false;
          recorder.port.onmessage = e => { if (window.capturing) window.captured.push(e.data); };
          const mute = context.createGain();
          mute.gain.value = 0;
          source.connect(recorder);
          recorder.connect(mute);
          mute.connect(context.destination);
        }
        """;

    internal const string StopRecordingScript = """
        () => {
          window.capturing = false;
          const n = window.captured.reduce((a, c) => a + c.length, 0);
          const pcm = new Int16Array(n);
          let i = 0;
          for (const chunk of window.captured) for (const x of chunk) pcm[i++] = Math.max(-32768, Math.min(32767, Math.round(x * 32767)));
          const bytes = new Uint8Array(pcm.buffer);
          let text = '';
          for (let j = 0; j < bytes.length; j += 0x8000) text += String.fromCharCode.apply(null, bytes.subarray(j, j + 0x8000));
          return btoa(text);
        }
        """;

    /// <summary>The remote-inbound-rtp (what our RRs say) and remote-outbound-rtp (what our SRs say) of window[name].pc.</summary>
    private const string RemoteStatsScript = """
        async name => {
          const result = {};
          (await window[name].pc.getStats()).forEach(s => {
            if (s.type === 'remote-inbound-rtp') result.inbound = { packetsLost: s.packetsLost, roundTripTime: s.roundTripTime, fractionLost: s.fractionLost };
            if (s.type === 'remote-outbound-rtp') result.outbound = { packetsSent: s.packetsSent, bytesSent: s.bytesSent, reportsSent: s.reportsSent };
          });
          return JSON.stringify(result);
        }
        """;

    private const string InboundStatsScript = """
        async () => {
          const result = {};
          (await window.listening.pc.getStats()).forEach(s => {
            if (s.type === 'inbound-rtp' && s.kind === 'audio') {
              result.packetsReceived = s.packetsReceived; result.packetsLost = s.packetsLost;
              result.concealedSamples = s.concealedSamples; result.totalSamplesReceived = s.totalSamplesReceived;
              result.jitterBufferMs = s.jitterBufferEmittedCount ? 1000 * s.jitterBufferDelay / s.jitterBufferEmittedCount : null;
            }
          });
          return JSON.stringify(result);
        }
        """;

    /// <summary>Everything one gRPC subscription delivered, in order.</summary>
    private sealed class TrackRecording
    {
        public List<AudioChunk> Chunks { get; } = [];

        public Task Completion { get; private set; } = Task.CompletedTask;

        public ulong FirstOffset => Chunks.Count > 0 ? Chunks[0].SampleOffset : 0;

        public static TrackRecording Start(AsyncServerStreamingCall<AudioChunk> call)
        {
            var recording = new TrackRecording();
            recording.Completion = Task.Run(async () =>
            {
                await foreach (var chunk in call.ResponseStream.ReadAllAsync())
                {
                    lock (recording.Chunks)
                    {
                        recording.Chunks.Add(chunk);
                    }
                }
            });
            return recording;
        }

        public float[] Samples()
        {
            lock (Chunks)
            {
                return [.. Chunks.SelectMany(chunk => AudioAnalysis.FromPcm16(chunk.Pcm.ToByteArray()))];
            }
        }

        public void AssertContiguous()
        {
            Assert.NotEmpty(Chunks);
            for (int i = 0; i < Chunks.Count; i++)
            {
                Assert.Equal((ulong)i, Chunks[i].Sequence);
                Assert.Equal(48000u, Chunks[i].SampleRate);
                Assert.Equal(Chunks[i].SampleOffset * 1000 / 48000, Chunks[i].StreamTimeMs);
                if (i > 0)
                {
                    Assert.Equal(Chunks[i - 1].SampleOffset + ((ulong)Chunks[i - 1].Pcm.Length / 2), Chunks[i].SampleOffset);
                }
            }
        }
    }
}
