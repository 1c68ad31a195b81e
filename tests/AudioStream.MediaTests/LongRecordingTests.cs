using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AudioStream.MediaService.WebRtc.Client;
using AudioStream.MediaService.WebRtc.Opus;
using AudioStream.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static AudioStream.MediaTests.MediaTestSupport;

namespace AudioStream.MediaTests;

/// <summary>
/// A minute-long recording as a friend replays it: compact (Ogg Opus, under an eighth of its WAV) and seekable in
/// Chromium (it plays what was sent at 45 s) and by bisection over Range requests, as players of long files do.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class LongRecordingTests(AppHostFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private const int SampleRate = 48000;
    private static readonly TimeSpan StreamLength = TimeSpan.FromSeconds(60);

    /// <summary>The tone's frequency at <paramref name="seconds"/> into the stream: what was sent when is audible.</summary>
    private static double ToneHz(double seconds) => 300 + (10 * seconds);

    private LaunchedChromium? _chromium;

    private IBrowser? Browser => _chromium?.Browser;

    public async Task InitializeAsync()
    {
        var options = HeadlessChromium.Options();
        options.Args = [.. options.Args!, "--autoplay-policy=no-user-gesture-required"];
        _chromium = await LaunchedChromium.LaunchAsync(options);
    }

    public async Task DisposeAsync()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task A_minute_long_recording_is_an_eighth_of_its_wav_and_a_friend_seeks_to_45_seconds()
    {
        Skip.If(Browser is null, $"{HeadlessChromium.ExecutablePath} is not installed (apt-get install chromium).");
        using var alice = await new UserSession(fixture).RegisterAsync();
        using var bob = await new UserSession(fixture).RegisterAsync();
        await alice.BefriendAsync(bob);
        var (sessionId, whipUrl) = await alice.GoLiveAsync(denoise: false);
        using (var sender = new WebRtcClient(sends: true))
        {
            await sender.ConnectAsync(await AnswerAsync(alice, whipUrl, sender.Offer), TimeSpan.FromSeconds(20));
            await SendRisingToneAsync(sender, StreamLength);
            Assert.Equal(HttpStatusCode.OK, await UserSession.StatusOfAsync(alice.DeleteAsync("/api/media/streams/current")));
        }

        JsonElement recording = default;
        await WaitUntilAsync(async () =>
        {
            using var response = await bob.GetAsync($"/api/recordings/{sessionId}");
            recording = response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadFromJsonAsync<JsonElement>() : default;
            return recording.ValueKind == JsonValueKind.Object && recording.GetProperty("status").GetString() == "complete";
        }, TimeSpan.FromSeconds(30));
        var seconds = recording.GetProperty("durationSeconds").GetDouble();
        Assert.InRange(seconds, StreamLength.TotalSeconds - 1, StreamLength.TotalSeconds + 2);
        Assert.Matches("^(00:59|01:0[0-2])$", recording.GetProperty("duration").GetString());

        // Compact: the stored track against the same audio as 16-bit WAV.
        using var stored = await bob.GetAsync($"/api/recordings/{sessionId}/audio");
        Assert.Equal("audio/ogg", stored.Content.Headers.ContentType?.MediaType);
        long oggBytes = (await stored.Content.ReadAsByteArrayAsync()).LongLength;
        using var wav = await bob.GetAsync($"/api/recordings/{sessionId}/audio?format=wav");
        long wavBytes = (await wav.Content.ReadAsByteArrayAsync()).LongLength;
        output.WriteLine($"{seconds:F2} s: Ogg Opus {oggBytes} B ({oggBytes * 8 / seconds / 1000:F1} kb/s, {oggBytes * 3600 / seconds / 1e6:F1} MB per hour), WAV {wavBytes} B ({(double)wavBytes / oggBytes:F1}x)");
        Assert.True(oggBytes * 8 <= wavBytes, $"the Ogg Opus track ({oggBytes} B) is more than an eighth of its WAV ({wavBytes} B)");

        // Bob's Chromium plays it, seeks to 45 s (Range requests into the file) and hears what was sent at 45 s.
        var page = await LiveAudioEndToEndTests.OpenUserPageAsync(Browser!, output, bob, alice.UserName);
        var ranges = new ConcurrentQueue<(string Range, int Status)>();
        page.Response += (_, response) =>
        {
            if (response.Url.Contains($"/api/recordings/{sessionId}/audio", StringComparison.Ordinal)
                && response.Request.Headers.TryGetValue("range", out var range))
            {
                ranges.Enqueue((range, response.Status));
            }
        };
        var played = JsonDocument.Parse(await page.EvaluateAsync<string>(SeekAndListenScript, $"/api/recordings/{sessionId}/audio")).RootElement;
        output.WriteLine($"Chromium: {played}; range requests: {string.Join(", ", ranges.Select(r => $"{r.Range} → {r.Status}"))}");
        Assert.InRange(played.GetProperty("duration").GetDouble(), seconds - 0.5, seconds + 0.5);
        Assert.InRange(played.GetProperty("time").GetDouble(), 45.2, 50);
        double heardAt = played.GetProperty("time").GetDouble();
        Assert.InRange(played.GetProperty("peakHz").GetDouble(), ToneHz(heardAt - 1.5), ToneHz(heardAt + 0.5));
        Assert.All(ranges, r => Assert.Equal(206, r.Status));
        await page.Context.CloseAsync();

        // A minute is small enough for Chromium to hold whole; a player on a long file (Firefox always) seeks by
        // bisection over Range requests, reading the granule position of the first Ogg page at each probe. Do that.
        var (probes, pageSeconds) = await BisectToAsync(bob, $"/api/recordings/{sessionId}/audio", oggBytes, target: 45);
        output.WriteLine($"bisection to 45 s: {probes} Range requests, landed on a page at {pageSeconds:F2} s");
        Assert.InRange(pageSeconds, 43, 45);
    }

    /// <summary>
    /// Finds, with 4 KiB Range requests, the last Ogg page that starts before <paramref name="target"/> seconds (RFC 3533
    /// pages; granule = 48 kHz samples at the page's end): the number of requests and that page's end in seconds.
    /// </summary>
    private static async Task<(int Probes, double Seconds)> BisectToAsync(UserSession user, string url, long length, double target)
    {
        long low = 0, high = length;
        double best = 0;
        int probes = 0;
        while (high - low > 4096)
        {
            long middle = (low + high) / 2;
            probes++;
            using var request = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Range = new(middle, middle + 4095) } };
            using var response = await user.SendAsync(request);
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            var granule = FirstGranule(await response.Content.ReadAsByteArrayAsync());
            if (granule is null || granule.Value / (double)SampleRate > target)
            {
                high = middle;
            }
            else
            {
                low = middle;
                best = granule.Value / (double)SampleRate;
            }
        }

        return (probes, best);
    }

    /// <summary>The granule position of the first Ogg page that starts in <paramref name="bytes"/> and has one.</summary>
    private static long? FirstGranule(byte[] bytes)
    {
        for (int at = bytes.AsSpan().IndexOf("OggS"u8); at >= 0 && at + 14 <= bytes.Length; at = NextCapture(bytes, at + 1))
        {
            long granule = BitConverter.ToInt64(bytes, at + 6);
            if (bytes[at + 4] == 0 && granule >= 0)
            {
                return granule;
            }
        }

        return null;

        static int NextCapture(byte[] bytes, int from) => from >= bytes.Length ? -1 : bytes.AsSpan(from).IndexOf("OggS"u8) is var i and >= 0 ? from + i : -1;
    }

    /// <summary>A tone rising 10 Hz a second from 300 Hz, paced in real time by the clock (a late frame goes at once).</summary>
    private static async Task SendRisingToneAsync(WebRtcClient sender, TimeSpan length)
    {
        var encoder = new OpusAudioEncoder();
        var frame = new float[960];
        var packet = new byte[OpusAudioEncoder.MaxPacketBytes];
        double phase = 0;
        var clock = Stopwatch.StartNew();
        for (int f = 0; f < length.TotalMilliseconds / 20; f++)
        {
            for (int i = 0; i < frame.Length; i++)
            {
                phase += 2 * Math.PI * ToneHz(((f * 960) + i) / (double)SampleRate) / SampleRate;
                frame[i] = (float)(0.3 * Math.Sin(phase));
            }

            sender.SendOpus(packet.AsSpan(0, encoder.Encode(frame, packet)));
            var wait = TimeSpan.FromMilliseconds(20 * (f + 1)) - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
        }
    }

    /// <summary>An audio element on the recording: its duration, then a seek to 45 s, a second of play, what it heard.</summary>
    private const string SeekAndListenScript = """
        async url => {
          const audio = document.createElement('audio');
          audio.preload = 'auto';
          audio.src = url;
          document.body.append(audio);
          await new Promise((resolve, reject) => {
            audio.addEventListener('loadedmetadata', resolve, { once: true });
            audio.addEventListener('error', () => reject(new Error(`media error ${audio.error?.code}: ${audio.error?.message}`)), { once: true });
          });
          const context = new AudioContext({ sampleRate: 48000 });
          await context.resume();
          const analyser = context.createAnalyser();
          analyser.fftSize = 8192;
          const mute = context.createGain();
          mute.gain.value = 0;
          context.createMediaElementSource(audio).connect(analyser);
          analyser.connect(mute);
          mute.connect(context.destination);
          const duration = audio.duration;
          audio.currentTime = 45;
          await new Promise(resolve => audio.addEventListener('seeked', resolve, { once: true }));
          await audio.play();
          await new Promise(resolve => setTimeout(resolve, 1000));
          const spectrum = new Float32Array(analyser.frequencyBinCount);
          analyser.getFloatFrequencyData(spectrum);
          let peak = 1;
          for (let i = 2; i < spectrum.length; i++) if (spectrum[i] > spectrum[peak]) peak = i;
          const time = audio.currentTime;
          audio.pause();
          return JSON.stringify({ duration, time, peakHz: peak * context.sampleRate / analyser.fftSize });
        }
        """;
}
