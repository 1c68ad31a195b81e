using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AudioStream.MediaService.WebRtc.Client;

namespace AudioStream.Benchmarks.MediaLoad;

/// <summary>
/// The two load scenarios. Streams: N broadcasters (one listener each; a few decode for latency), ramped until audio is lost.
/// Listeners: one stream and M listeners, ramped until a listener misses audio. Each step measures MediaService CPU (from /proc), losses at every layer
/// (broadcaster packets, frames dropped for listeners, listeners' sequence gaps) and mouth-to-ear latency.
/// </summary>
internal sealed class LoadRunner(BenchOptions options, AudioSource audio, IReadOnlyList<int> mediaPids, TextWriter output) : IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(20);
    private readonly ConcurrentDictionary<Broadcast, byte> _live = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<BenchUser> _users = [];
    private readonly string _runId = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture) + Random.Shared.Next(1000).ToString("D3", CultureInfo.InvariantCulture);
    private BenchUser? _listener;
    private double _idleCpu;
    private Task? _pacer;

    /// <summary>The server's planned arrival-to-playout delay, as the first stream's stats report it.</summary>
    private double _plannedLatencySeconds = 0.1;
    private string _mode = "off";

    /// <summary>Send times kept per broadcaster: 20 minutes (0.5 MB), far more than a run lasts.</summary>
    private const int CapacityPackets = 20 * 60 * 50;

    public async Task PrepareAsync(int broadcasters)
    {
        _idleCpu = await MeasureIdleAsync();
        _listener = await BenchUser.RegisterAsync(options.Gateway, $"load_{_runId}_l");
        for (int i = 0; i < broadcasters; i++)
        {
            var user = await BenchUser.RegisterAsync(options.Gateway, $"load_{_runId}_b{i}");
            await user.BefriendAsync(_listener);
            _users.Add(user);
        }

        _pacer = Task.Run(PaceAsync);
        await WarmUpAsync();
    }

    /// <summary>
    /// One stream with a listener for ten seconds, not measured: the first stream after start-up runs on code the JIT
    /// has not optimised yet (in the services and here), which showed as 40–100 ms more latency in the first step.
    /// </summary>
    private async Task WarmUpAsync()
    {
        var broadcast = await StartBroadcastAsync(_users[0]);
        var probe = await ListenAsync(broadcast, decode: true);
        await Task.Delay(TimeSpan.FromSeconds(10));
        await StopAsync([broadcast], [probe]);
    }

    public async Task<List<StepResult>> RunStreamsAsync()
    {
        var results = new List<StepResult>();
        output.WriteLine($"\n== streams ({Describe()}; one listener per stream, the first {options.DecodingListeners} decode for latency; {options.Seconds} s per step)");
        output.WriteLine(StepResult.Header("streams"));
        double idle = _idleCpu;
        foreach (int count in options.Streams)
        {
            var broadcasts = new List<Broadcast>();
            var probes = new List<ListenerProbe>();
            try
            {
                for (int i = 0; i < count; i++)
                {
                    var broadcast = await StartBroadcastAsync(_users[i]);
                    broadcasts.Add(broadcast);
                    probes.Add(await ListenAsync(broadcast, decode: i < options.DecodingListeners));
                }

                var result = await MeasureAsync(count, broadcasts, probes, idle);
                results.Add(result);
                output.WriteLine(result.Row() + Placement(broadcasts));
                if (!result.Sustained)
                {
                    break;
                }
            }
            finally
            {
                await StopAsync(broadcasts, probes);
            }
        }

        return results;
    }

    public async Task<List<StepResult>> RunListenersAsync()
    {
        var results = new List<StepResult>();
        output.WriteLine($"\n== listeners on one stream ({Describe()}; listener 1 decodes for latency, the others count packets; {options.Seconds} s per step)");
        output.WriteLine(StepResult.Header("listeners"));
        double idle = _idleCpu;
        var broadcast = await StartBroadcastAsync(_users[0]);
        var probes = new List<ListenerProbe>();
        try
        {
            foreach (int count in options.Listeners)
            {
                while (probes.Count < count)
                {
                    probes.Add(await ListenAsync(broadcast, decode: probes.Count == 0));
                }

                var result = await MeasureAsync(count, [broadcast], probes, idle);
                results.Add(result);
                output.WriteLine(result.Row());
                if (!result.Sustained)
                {
                    break;
                }
            }
        }
        finally
        {
            await StopAsync([broadcast], probes);
        }

        return results;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_pacer is not null)
        {
            await _pacer;
        }

        foreach (var user in _users)
        {
            user.Dispose();
        }

        _listener?.Dispose();
    }

    private string Describe() => options.Denoise ? "denoise on" : "denoise off";

    private async Task<double> MeasureIdleAsync()
    {
        double cpu = ProcessCpu.Seconds(mediaPids);
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(5));
        return (ProcessCpu.Seconds(mediaPids) - cpu) / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Where the gateway placed the streams, when there is more than one node ("  [media 8, media-2 8]").</summary>
    private static string Placement(IEnumerable<Broadcast> broadcasts)
    {
        var perNode = broadcasts.GroupBy(b => b.Node).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        return perNode.Count > 1 ? $"  [{string.Join(", ", perNode.Select(g => $"{g.Key} {g.Count()}"))}]" : "";
    }

    private async Task<Broadcast> StartBroadcastAsync(BenchUser owner)
    {
        var (whip, node) = await owner.GoLiveAsync(options.Denoise);
        var sender = new WebRtcClient(sends: true);
        await sender.ConnectAsync(await owner.ExchangeSdpAsync(whip, sender.Offer), ConnectTimeout);
        var broadcast = new Broadcast(owner, node, sender, audio, CapacityPackets);
        broadcast.Start(TimeProvider.System.GetTimestamp());
        _live[broadcast] = 0;
        return broadcast;
    }

    private async Task<ListenerProbe> ListenAsync(Broadcast broadcast, bool decode)
    {
        var probe = new ListenerProbe(decode);
        await probe.Client.ConnectAsync(await _listener!.ExchangeSdpAsync($"/api/media/whep/{broadcast.Owner.Name}", probe.Client.Offer), ConnectTimeout);
        return probe;
    }

    private async Task StopAsync(List<Broadcast> broadcasts, List<ListenerProbe> probes)
    {
        foreach (var broadcast in broadcasts)
        {
            _live.TryRemove(broadcast, out _);
            broadcast.Dispose();
            await broadcast.Owner.StopAsync();
        }

        foreach (var probe in probes)
        {
            probe.Dispose();
        }

        await Task.Delay(TimeSpan.FromSeconds(3)); // the denoisers flush and the server settles
    }

    private async Task<StepResult> MeasureAsync(int count, List<Broadcast> broadcasts, List<ListenerProbe> probes, double idleCpu)
    {
        if (await broadcasts[0].Owner.StatsAsync(broadcasts[0].Owner.Name) is JsonElement first)
        {
            _plannedLatencySeconds = first.GetProperty("delivery").GetProperty("plannedLatencyMs").GetDouble() / 1000;
            var denoiser = first.GetProperty("denoiser");
            _mode = $"{denoiser.GetProperty("mode").GetString()}, {denoiser.GetProperty("addedDelayMs").GetDouble():F0} ms";
        }

        // Let the first audio reach the listeners through the planned delay, and the queues settle.
        await Task.Delay(TimeSpan.FromSeconds(_plannedLatencySeconds + 3));
        var before = await SnapshotAsync(broadcasts, probes);
        long from = TimeProvider.System.GetTimestamp();
        await Task.Delay(TimeSpan.FromSeconds(options.Seconds));
        long to = TimeProvider.System.GetTimestamp();
        var after = await SnapshotAsync(broadcasts, probes);
        double seconds = TimeProvider.System.GetElapsedTime(from, to).TotalSeconds;

        var latencies = new List<double>();
        var correlations = new List<double>();
        for (int i = 0; i < probes.Count; i++)
        {
            if (probes[i].Decodes)
            {
                var broadcast = broadcasts[Math.Min(i, broadcasts.Count - 1)];
                foreach (var (latency, r) in LatencyEstimator.Estimate(broadcast, probes[i], audio, from, to))
                {
                    latencies.Add(latency);
                    correlations.Add(r);
                }
            }
        }

        latencies.Sort();
        correlations.Sort();
        int starved = after.PerListener.Where((n, i) => n - before.PerListener[i] < seconds * 50 * 0.9).Count();
        return new StepResult(
            count,
            MediaCpuPercent: (after.MediaCpu - before.MediaCpu) / seconds * 100,
            IdleCpuPercent: idleCpu * 100,
            BenchCpuPercent: (after.BenchCpu - before.BenchCpu) / seconds * 100,
            PacketsExpected: (long)(seconds * 50) * probes.Count,
            ListenerPacketsReceived: after.Received - before.Received,
            ListenerPacketsLost: after.Lost - before.Lost,
            IngestPacketsLost: after.IngestLost - before.IngestLost,
            IngestConcealed: after.IngestConcealed - before.IngestConcealed,
            ListenerFramesDropped: after.ListenerDropped - before.ListenerDropped,
            ServerLatencyMs: after.ServerLatencyMs,
            LatencyP50Ms: LatencyEstimator.Percentile(latencies, 0.5),
            LatencyP99Ms: LatencyEstimator.Percentile(latencies, 0.99),
            LatencyWindows: latencies.Count,
            MedianCorrelation: LatencyEstimator.Percentile(correlations, 0.5),
            PlannedLatencyMs: _plannedLatencySeconds * 1000,
            DenoiseMode: _mode,
            StarvedListeners: starved,
            ClosedListeners: after.Closed);
    }

    private async Task<Snapshot> SnapshotAsync(List<Broadcast> broadcasts, List<ListenerProbe> probes)
    {
        long received = 0, lost = 0;
        int closed = 0;
        var perListener = new long[probes.Count];
        for (int i = 0; i < probes.Count; i++)
        {
            var counts = probes[i].Counts;
            received += counts.Received;
            lost += counts.Lost;
            perListener[i] = counts.Received;
            closed += probes[i].Client.IsClosed ? 1 : 0;
        }

        long ingestLost = 0, concealed = 0, dropped = 0;
        double serverLatency = 0;
        foreach (var broadcast in broadcasts)
        {
            if (await broadcast.Owner.StatsAsync(broadcast.Owner.Name) is JsonElement stats)
            {
                var delivery = stats.GetProperty("delivery");
                ingestLost += delivery.GetProperty("packetsLost").GetInt64();
                concealed += delivery.GetProperty("framesConcealed").GetInt64();
                dropped += delivery.GetProperty("listenerFramesDropped").GetInt64();
                serverLatency = Math.Max(serverLatency, stats.GetProperty("latencyMs").GetDouble());
            }
        }

        return new Snapshot(
            ProcessCpu.Seconds(mediaPids), ProcessCpu.Seconds(Environment.ProcessId), received, lost, ingestLost, concealed, dropped, serverLatency, perListener, closed);
    }

    private async Task PaceAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                long now = TimeProvider.System.GetTimestamp();
                foreach (var broadcast in _live.Keys)
                {
                    broadcast.SendDue(now);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed record Snapshot(
        double MediaCpu, double BenchCpu, long Received, long Lost, long IngestLost, long IngestConcealed, long ListenerDropped, double ServerLatencyMs,
        long[] PerListener, int Closed);
}
