using AudioStream.Testing;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using AudioStream.MediaService.WebRtc.Ice;
using AudioStream.MediaService.WebRtc.Sdp;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace AudioStream.MediaService.WebRtc.Tests;

/// <summary>One headless Debian Chromium for the interop tests, with its fake microphone fed from noisy.wav.</summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string ChromiumPath = HeadlessChromium.ExecutablePath;

    public string? WavPath { get; } = SharedAudio.Find(Path.Combine("dns-01", "noisy.wav"));

    public string? SkipReason { get; private set; }

    public IBrowser? Browser { get; private set; }

    private IPlaywright? _playwright;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            SkipReason = $"{ChromiumPath} is not installed (apt-get install -y chromium).";
            return;
        }

        if (WavPath is null)
        {
            SkipReason = "shared/audio/dns-01/noisy.wav was not found above the test binaries.";
            return;
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(HeadlessChromium.Options(WavPath));
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

/// <summary>
/// Runs alone (no other test class of this assembly at the same time): the browser judges real-time pacing, which the
/// CPU-heavy protocol tests next to it (floods, handshakes, key generation) would disturb on a 2-core machine.
/// </summary>
[CollectionDefinition(nameof(ChromiumInteropTests), DisableParallelization = true)]
public sealed class ChromiumInteropCollection;

[Collection(nameof(ChromiumInteropTests))]
public class ChromiumInteropTests(ChromiumFixture chromium, ITestOutputHelper output) : IClassFixture<ChromiumFixture>
{
    // Served at http://localhost/ by Playwright's router: localhost is a secure context, so getUserMedia works.
    private const string Page = """
        <!doctype html><html><body><script>
        let pc, analyser;
        window.makeSendOffer = async () => {
          const stream = await navigator.mediaDevices.getUserMedia({ audio: {
            echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
          pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
          pc.addTransceiver(stream.getAudioTracks()[0], { direction: 'sendonly', streams: [stream] });
          await pc.setLocalDescription(await pc.createOffer());
          return pc.localDescription.sdp;
        };
        window.makeReceiveOffer = async () => {
          pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
          pc.addTransceiver('audio', { direction: 'recvonly' });
          pc.ontrack = e => {
            const stream = new MediaStream([e.track]);
            const audio = new Audio();
            audio.srcObject = stream;
            audio.play().catch(() => {});
            const ctx = new AudioContext({ sampleRate: 48000 });
            analyser = ctx.createAnalyser();
            analyser.fftSize = 8192;
            ctx.createMediaStreamSource(stream).connect(analyser);
            ctx.resume();
          };
          await pc.setLocalDescription(await pc.createOffer());
          return pc.localDescription.sdp;
        };
        window.acceptAnswer = async sdp => { await pc.setRemoteDescription({ type: 'answer', sdp }); };
        window.connectionState = () => pc.connectionState;
        window.selectedRemote = async () => {
          const stats = await pc.getStats();
          let pair;
          stats.forEach(s => { if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId); });
          const remote = pair && stats.get(pair.remoteCandidateId);
          return remote ? `${remote.address}:${remote.port}` : '';
        };
        window.measure = async () => {
          const result = {};
          (await pc.getStats()).forEach(s => {
            if (s.type === 'inbound-rtp' && s.kind === 'audio') {
              result.packetsReceived = s.packetsReceived; result.totalAudioEnergy = s.totalAudioEnergy;
              result.audioLevel = s.audioLevel; result.concealedSamples = s.concealedSamples;
              result.totalSamplesReceived = s.totalSamplesReceived; result.packetsLost = s.packetsLost;
            }
            if (s.type === 'outbound-rtp' && s.kind === 'audio') { result.packetsSent = s.packetsSent; }
          });
          if (analyser) {
            const spectrum = new Float32Array(analyser.frequencyBinCount);
            analyser.getFloatFrequencyData(spectrum);
            let peak = 0;
            for (let i = 1; i < spectrum.length; i++) if (spectrum[i] > spectrum[peak]) peak = i;
            result.peakHz = peak * analyser.context.sampleRate / analyser.fftSize;
            const wave = new Float32Array(analyser.fftSize);
            analyser.getFloatTimeDomainData(wave);
            result.rms = Math.sqrt(wave.reduce((a, x) => a + x * x, 0) / wave.length);
          }
          return JSON.stringify(result);
        };
        </script></body></html>
        """;

    [SkippableFact]
    public async Task Chromium_microphone_arrives_as_pcm_that_matches_the_wav()
    {
        Skip.If(chromium.SkipReason is not null, chromium.SkipReason);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        var page = await OpenPageAsync();
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions { BindAddress = IPAddress.Loopback });

        var offer = await page.EvaluateAsync<string>("() => window.makeSendOffer()");
        var clock = Stopwatch.StartNew();
        var (peer, answer) = endpoint.CreateIngestPeer(offer);
        await page.EvaluateAsync("sdp => window.acceptAnswer(sdp)", answer);
        await WaitConnectedAsync(peer, timeout.Token);
        var connected = clock.Elapsed;

        var pcm = new List<float>(7 * 48000);
        TimeSpan? firstFrame = null;
        while (pcm.Count < 6 * 48000)
        {
            var frame = await peer.Frames.ReadAsync(timeout.Token);
            firstFrame ??= clock.Elapsed;
            pcm.AddRange(frame.Samples);
        }

        var counters = peer.Counters;
        output.WriteLine($"answer→connected {connected.TotalMilliseconds:F0} ms, DTLS handshake {peer.HandshakeDuration?.TotalMilliseconds:F0} ms, answer→first PCM {firstFrame?.TotalMilliseconds:F0} ms");
        output.WriteLine($"counters: {counters}");

        // Align against the wav (looped, as the fake device loops it): RMS envelopes at 10 ms, then samples.
        var wav = Signal.ReadWav(chromium.WavPath!);
        var looped = wav.Concat(wav).ToArray();
        var decoded = pcm.Skip(48000 / 2).Take(5 * 48000).ToArray();
        const int Window = 480;
        var wavEnvelope = Signal.Envelope(looped, Window);
        var decodedEnvelope = Signal.Envelope(decoded, Window);
        double bestEnvelope = -1;
        int bestLag = 0;
        for (int lag = 0; lag + decodedEnvelope.Length <= wavEnvelope.Length && lag < wav.Length / Window; lag++)
        {
            double r = Pearson(decodedEnvelope, wavEnvelope, lag);
            if (r > bestEnvelope)
            {
                bestEnvelope = r;
                bestLag = lag;
            }
        }

        double bestSample = -1;
        for (int shift = -Window; shift <= Window; shift++)
        {
            int start = (bestLag * Window) + shift;
            if (start >= 0 && start + decoded.Length <= looped.Length)
            {
                bestSample = Math.Max(bestSample, Signal.Correlation(decoded, 0, looped, start, decoded.Length));
            }
        }

        output.WriteLine($"wav offset {bestLag * 10} ms: envelope correlation {bestEnvelope:F3}, waveform correlation {bestSample:F3}");
        Assert.Equal(0, counters.SrtpAuthFailures);
        Assert.True(counters.FramesDecoded >= 290, $"decoded {counters.FramesDecoded} frames");
        Assert.True(bestEnvelope > 0.5, $"envelope correlation {bestEnvelope:F3}");
        Assert.True(bestSample > 0.5, $"waveform correlation {bestSample:F3}");

        // Hanging up sends close_notify: the peer tears down from the alert.
        var closed = new TaskCompletionSource<PeerCloseReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        peer.Closed += (_, e) => closed.TrySetResult(e.Reason);
        await page.EvaluateAsync("() => pc.close()");
        Assert.Equal(PeerCloseReason.DtlsCloseNotify, await closed.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await page.CloseAsync();
    }

    [SkippableFact]
    public async Task Chromium_plays_the_tone_an_egress_peer_sends()
    {
        Skip.If(chromium.SkipReason is not null, chromium.SkipReason);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        var page = await OpenPageAsync();
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions { BindAddress = IPAddress.Loopback });

        var offer = await page.EvaluateAsync<string>("() => window.makeReceiveOffer()");
        var clock = Stopwatch.StartNew();
        var (peer, answer) = endpoint.CreateEgressPeer(offer);
        await page.EvaluateAsync("sdp => window.acceptAnswer(sdp)", answer);
        await WaitConnectedAsync(peer, timeout.Token);
        output.WriteLine($"answer→connected {clock.Elapsed.TotalMilliseconds:F0} ms, DTLS handshake {peer.HandshakeDuration?.TotalMilliseconds:F0} ms");

        var frame = new float[960];
        long sample = 0;
        var encodeTimes = new List<double>();
        var sentAt = new long[200];
        // Frames go out on an absolute 20 ms schedule (a late frame is sent at once, as a real sender's clock would),
        // from a thread of its own (a busy thread pool cannot hold it back), and the browser is measured without holding
        // the sender back. What the sender still stalls (a loaded machine) is concealment we caused, allowed for below.
        Task<string>? early = null, late = null;
        await Task.Factory.StartNew(() =>
        {
            var start = Stopwatch.GetTimestamp();
            for (int f = 0; f < 200; f++)
            {
                for (int i = 0; i < frame.Length; i++, sample++)
                {
                    frame[i] = 0.5f * MathF.Sin(2 * MathF.PI * 440 * sample / 48000f);
                }

                long before = Stopwatch.GetTimestamp();
                sentAt[f] = before;
                Assert.True(peer.SendFrame(frame));
                encodeTimes.Add(Stopwatch.GetElapsedTime(before).TotalMicroseconds);
                if (f == 75)
                {
                    early = page.EvaluateAsync<string>("() => window.measure()");
                }

                if (f == 175)
                {
                    late = page.EvaluateAsync<string>("() => window.measure()");
                }

                while (Stopwatch.GetElapsedTime(start) < TimeSpan.FromMilliseconds(20 * (f + 1)) && !timeout.IsCancellationRequested)
                {
                    Thread.Sleep(1);
                }
            }
        }, timeout.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        // Between the two measurements: how long the sender was later than its 20 ms beat, in all.
        var stalledMs = Enumerable.Range(76, 100)
            .Sum(f => Math.Max(0, Stopwatch.GetElapsedTime(sentAt[f - 1], sentAt[f]).TotalMilliseconds - 20));

        var earlyStats = JsonDocument.Parse(await early!.WaitAsync(timeout.Token)).RootElement;
        var stats = JsonDocument.Parse(await late!.WaitAsync(timeout.Token)).RootElement;
        output.WriteLine($"browser at frame 75: {earlyStats}");
        output.WriteLine($"browser at frame 175: {stats}");
        output.WriteLine($"encode+protect+send per 20 ms frame: median {Median(encodeTimes):F0} µs");
        output.WriteLine($"counters: {peer.Counters}");
        Assert.True(stats.GetProperty("packetsReceived").GetInt64() > 100);
        Assert.True(stats.GetProperty("totalAudioEnergy").GetDouble() > 0.1);
        Assert.True(stats.GetProperty("totalSamplesReceived").GetInt64() > 48000);
        // Once playing (the first second includes Chromium's own start-up), under 10 % of what it plays is concealment,
        // besides what the sender's own stalls explain (48 samples a millisecond).
        long concealed = stats.GetProperty("concealedSamples").GetInt64() - earlyStats.GetProperty("concealedSamples").GetInt64();
        long played = stats.GetProperty("totalSamplesReceived").GetInt64() - earlyStats.GetProperty("totalSamplesReceived").GetInt64();
        output.WriteLine($"sender stalled {stalledMs:F0} ms in all between the measurements; Chromium concealed {concealed} of {played} samples");
        Assert.True(played > 40000 && concealed < played / 10 + (long)(48 * stalledMs),
            $"concealed {concealed} of {played} samples (the sender stalled {stalledMs:F0} ms)");
        Assert.InRange(stats.GetProperty("peakHz").GetDouble(), 420, 460);
        Assert.InRange(stats.GetProperty("rms").GetDouble(), 0.1, 0.6);

        await page.CloseAsync();
    }

    /// <summary>
    /// An answer with several host candidates (two local addresses, one this machine does not have, a public one):
    /// Chromium takes them all, connects through one it can reach, and our side sends from the address it chose.
    /// </summary>
    [SkippableFact]
    public async Task Chromium_connects_when_the_answer_offers_several_addresses()
    {
        Skip.If(chromium.SkipReason is not null, chromium.SkipReason);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        var page = await OpenPageAsync();
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions
        {
            NetworkInterfaces = () =>
            [
                new LocalInterface("lo", true, true, [IPAddress.Loopback, IPAddress.Parse("127.0.0.2")]),
                new LocalInterface("eth9", true, false, [IPAddress.Parse("198.51.100.7")]),
            ],
            PublicAddress = "203.0.113.9",
            AdvertiseIPv6 = false,
        });

        var offer = await page.EvaluateAsync<string>("() => window.makeReceiveOffer()");
        var (peer, answer) = endpoint.CreateEgressPeer(offer, IPAddress.Loopback);
        Assert.Equal(4, SessionDescription.Parse(answer).Media[0].Candidates.Count);
        await page.EvaluateAsync("sdp => window.acceptAnswer(sdp)", answer);
        await WaitConnectedAsync(peer, timeout.Token);

        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        for (int f = 0; f < 50; f++)
        {
            Assert.True(peer.SendFrame(new float[960]));
            await timer.WaitForNextTickAsync(timeout.Token);
        }

        var stats = JsonDocument.Parse(await page.EvaluateAsync<string>("() => window.measure()")).RootElement;
        var selected = await page.EvaluateAsync<string>("() => window.selectedRemote()");
        output.WriteLine($"answer candidates: {string.Join(", ", SessionDescription.Parse(answer).Media[0].Candidates)}; Chromium selected {selected}, we send from {peer.LocalEndPoint}");
        Assert.True(stats.GetProperty("packetsReceived").GetInt64() > 20);
        Assert.Equal(peer.LocalEndPoint?.ToString(), selected);
        await page.CloseAsync();
    }

    /// <summary>UDP to the endpoint is dropped (nftables): Chromium reaches the peer over ICE-TCP, our passive candidate.</summary>
    [SkippableFact]
    public async Task Chromium_whose_udp_is_dropped_connects_over_ice_tcp()
    {
        Skip.If(chromium.SkipReason is not null, chromium.SkipReason);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions { BindAddress = IPAddress.Loopback, TcpPort = 0 });
        using var block = UdpPortBlock.TryCreate(endpoint.LocalEndPoint.Port, out var skipReason);
        Skip.If(block is null, skipReason);
        var page = await OpenPageAsync();

        var offer = await page.EvaluateAsync<string>("() => window.makeReceiveOffer()");
        var clock = Stopwatch.StartNew();
        var (peer, answer) = endpoint.CreateEgressPeer(offer);
        await page.EvaluateAsync("sdp => window.acceptAnswer(sdp)", answer);
        await WaitConnectedAsync(peer, timeout.Token);
        output.WriteLine($"answer→connected over TCP {clock.Elapsed.TotalMilliseconds:F0} ms");

        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        for (int f = 0; f < 50; f++)
        {
            Assert.True(peer.SendFrame(new float[960]));
            await timer.WaitForNextTickAsync(timeout.Token);
        }

        var stats = JsonDocument.Parse(await page.EvaluateAsync<string>("() => window.measure()")).RootElement;
        var selected = await page.EvaluateAsync<string>("() => window.selectedRemote()");
        output.WriteLine($"Chromium selected {selected}; stats {stats}");
        Assert.Equal(endpoint.TcpLocalEndPoint, peer.LocalEndPoint);
        Assert.Equal(endpoint.TcpLocalEndPoint!.ToString(), selected);
        Assert.True(stats.GetProperty("packetsReceived").GetInt64() > 20);
        await page.CloseAsync();
    }

    private static async Task WaitConnectedAsync(WebRtcPeer peer, CancellationToken cancellationToken)
    {
        try
        {
            await peer.WaitConnectedAsync(cancellationToken);
        }
        catch (PeerClosedException ex)
        {
            throw new InvalidOperationException($"{ex.Message} {peer.CloseDetail}", ex);
        }
    }

    private async Task<IPage> OpenPageAsync()
    {
        var page = await chromium.Browser!.NewPageAsync();
        page.Console += (_, message) => output.WriteLine($"console: {message.Text}");
        await page.RouteAsync("http://localhost/**", route => route.FulfillAsync(new() { ContentType = "text/html", Body = Page }));
        await page.GotoAsync("http://localhost/webrtc");
        return page;
    }

    private static double Pearson(float[] a, float[] b, int bOffset)
    {
        double ma = a.Average(x => (double)x);
        double mb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            mb += b[bOffset + i];
        }

        mb /= a.Length;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double x = a[i] - ma, y = b[bOffset + i] - mb;
            sab += x * y;
            saa += x * x;
            sbb += y * y;
        }

        return saa == 0 || sbb == 0 ? 0 : sab / Math.Sqrt(saa * sbb);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
