using System.Diagnostics;
using System.Globalization;
using AudioStream.MediaService.Denoising.Audio;
using AudioStream.MediaService.Denoising.Hosting;
using AudioStream.MediaService.Denoising.Onnx;
using AudioStream.MediaService.Denoising.Streaming;

namespace AudioStream.MediaService.Denoising.CommandLine;

/// <summary>The <c>bench</c> verb: measures what one machine can do with the engine.</summary>
internal static class DenoiserBench
{
    private const int FrameSamples = 960;

    public static async Task<int> RunAsync(string[] argv, TextWriter output, CancellationToken cancellationToken)
    {
        var args = CommandLineArguments.Parse(argv,
            new HashSet<string> { "--cpu" },
            new HashSet<string> { "--model", "--device", "--seconds", "--input" });
        var trialSeconds = args.Seconds("--seconds") ?? 10;
        if (trialSeconds < 2)
        {
            throw new UsageException("--seconds must be at least 2.");
        }

        var options = DenoiserCommandLine.EngineOptions(args);
        var workingSetBefore = Environment.WorkingSet;
        using var engine = DeepFilterNetEngine.Load(options);
        var engineWorkingSet = Environment.WorkingSet - workingSetBefore;
        void Line(string text) => output.WriteLine(text);
        if (!engine.IsAvailable)
        {
            Line($"error: {engine.UnavailableReason}");
            return DenoiserCommandLine.Unavailable;
        }

        var rate = engine.SampleRate;
        var signal = args.Value("--input") is { } input
            ? Resampler.ToMono(WavReader.Read(input), rate)
            : SyntheticSignal(rate * 10, rate);
        var seconds = (double)signal.Length / rate;
        Line("provider: " + DenoiserMetrics.ProviderName(engine.Provider) +
            (engine.DeviceId is { } id ? Invariant($" (device {id})") : "") +
            (engine.CudaFailure is { } why ? $" (CUDA not usable: {FirstLine(why)})" : ""));
        Line(Invariant($"model: {engine.ModelDirectory} (loaded and warmed up in {engine.LoadTime.TotalMilliseconds:F0} ms)"));
        Line(Invariant($"machine: {Environment.ProcessorCount} logical cores; signal {seconds:F1} s; {engine.MaxConcurrentInferences} concurrent inferences"));

        var whole = Measure(() => engine.Denoise(signal));
        Line(Invariant($"whole file: RTF {whole / seconds:F4} ({whole * 1000:F0} ms for {seconds:F1} s, best of 3)"));

        var presets = new[] { ("default", StreamingSettings.Default), ("low-latency", StreamingSettings.LowLatency) };
        var streamingRtf = new Dictionary<string, double>();
        foreach (var (name, settings) in presets)
        {
            var elapsed = Measure(() => DenoiserCommandLine.DenoiseChunked(engine, signal, settings));
            streamingRtf[name] = elapsed / seconds;
            Line(Invariant($"streaming {name} ({Describe(settings, rate)}): RTF {elapsed / seconds:F4}"));
        }

        foreach (var (name, settings) in presets)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var estimate = Math.Max(1, (int)(engine.MaxConcurrentInferences / streamingRtf[name] * 0.9));
            var (streams, detail) = await FindRealTimeCapacityAsync(engine, signal, settings, estimate, trialSeconds, cancellationToken);
            Line(Invariant($"concurrent real-time streams, {name}: {streams} ({detail})"));
        }

        var perStream = await MeasureMemoryPerStreamAsync(engine, signal, StreamingSettings.Default);
        Line(Invariant($"memory per stream (default settings, managed heap): {perStream / 1024.0 / 1024.0:F2} MB; shared engine (sessions after warm-up, working set): {engineWorkingSet / 1024.0 / 1024.0:F0} MB"));
        return DenoiserCommandLine.Success;
    }

    /// <summary>
    /// Feeds N streams in real time (a 20 ms frame per stream every 20 ms, chunk boundaries staggered across
    /// streams as independent callers would be) and checks each keeps up: nothing dropped, and every chunk's output
    /// emitted within one chunk hop of its input being complete (otherwise the backlog grows without bound).
    /// Searches N from the estimate in 10 % steps.
    /// </summary>
    private static async Task<(int Streams, string Detail)> FindRealTimeCapacityAsync(
        DeepFilterNetEngine engine, float[] signal, StreamingSettings settings, int estimate, double seconds,
        CancellationToken cancellationToken)
    {
        var passed = 0;
        var detail = "none kept up";
        var n = estimate;
        var failedAbove = int.MaxValue;
        for (var trial = 0; trial < 6 && n >= 1 && n < failedAbove && n != passed; trial++)
        {
            var (ok, delay, dropped) = await RealTimeTrialAsync(engine, signal, settings, n, seconds, cancellationToken);
            if (ok)
            {
                passed = n;
                detail = Invariant($"{n} streams fed in real time for {seconds:F0} s: worst chunk output delay {delay * 1000:F0} ms after its input, nothing dropped");
                n = Math.Min(failedAbove - 1, Math.Max(n + 1, (int)(n * 1.1)));
            }
            else
            {
                failedAbove = n;
                if (passed == 0)
                {
                    detail = Invariant($"{n} streams fell behind: chunk output delay {delay * 1000:F0} ms, {dropped} samples dropped");
                }

                n = Math.Max(passed + 1, Math.Min(n - 1, (int)(n * 0.9)));
            }
        }

        return (passed, detail);
    }

    private static async Task<(bool Ok, double WorstDelay, long Dropped)> RealTimeTrialAsync(
        DeepFilterNetEngine engine, float[] signal, StreamingSettings settings, int count, double seconds,
        CancellationToken cancellationToken)
    {
        var rate = engine.SampleRate;
        var hop = settings.ChunkSamples(rate) - settings.OverlapSamples(rate);
        var pending = settings.OverlapSamples(rate) + settings.LookaheadSamples(rate);
        var total = (int)(seconds * rate) / FrameSamples * FrameSamples;
        var streams = new StreamingDenoiser[count];
        var prefixes = new int[count];
        var drains = new Task<double>[count];
        var clock = new Stopwatch();
        for (var i = 0; i < count; i++)
        {
            streams[i] = new StreamingDenoiser(engine, settings);
            prefixes[i] = (int)((long)hop * i / count) / FrameSamples * FrameSamples;
            streams[i].Write(signal.AsSpan(0, prefixes[i]));
            drains[i] = DrainAsync(streams[i], clock, prefixes[i], pending, rate);
        }

        clock.Start();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        var sent = 0;
        while (sent < total && await timer.WaitForNextTickAsync(cancellationToken))
        {
            var due = Math.Min(total, (int)(clock.Elapsed.TotalSeconds * rate) / FrameSamples * FrameSamples);
            for (; sent < due; sent += FrameSamples)
            {
                for (var i = 0; i < count; i++)
                {
                    var offset = (prefixes[i] + sent) % (signal.Length - FrameSamples);
                    streams[i].Write(signal.AsSpan(offset, FrameSamples));
                }
            }
        }

        var worst = 0.0;
        long dropped = 0;
        for (var i = 0; i < count; i++)
        {
            streams[i].Complete();
        }

        for (var i = 0; i < count; i++)
        {
            worst = Math.Max(worst, await drains[i]);
            dropped += streams[i].SamplesDropped;
            await streams[i].DisposeAsync();
        }

        return (dropped == 0 && worst <= (double)hop / rate, worst, dropped);
    }

    /// <summary>Reads a stream's output; returns the largest delay between a block's input being complete and its arrival.</summary>
    private static async Task<double> DrainAsync(StreamingDenoiser stream, Stopwatch clock, int prefix, int pending, int rate)
    {
        long emitted = 0;
        var worst = 0.0;
        await foreach (var block in stream.Output.ReadAllAsync())
        {
            emitted += block.Length;
            // The block ending at sample q needed input up to q + overlap + lookahead, written at (that − prefix)/rate.
            var inputComplete = (double)(emitted + pending - prefix) / rate;
            if (stream.SamplesWritten >= emitted + pending)
            {
                worst = Math.Max(worst, clock.Elapsed.TotalSeconds - Math.Max(0, inputComplete));
            }
        }

        return worst;
    }

    private static async Task<long> MeasureMemoryPerStreamAsync(DeepFilterNetEngine engine, float[] signal, StreamingSettings settings)
    {
        const int count = 16;
        var roomy = settings with { MaxQueuedSeconds = 60 };
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var streams = Enumerable.Range(0, count).Select(_ => new StreamingDenoiser(engine, roomy)).ToArray();
        var threeSeconds = signal.AsMemory(0, Math.Min(signal.Length, engine.SampleRate * 3));
        foreach (var stream in streams)
        {
            for (var offset = 0; offset + FrameSamples <= threeSeconds.Length; offset += FrameSamples)
            {
                stream.Write(threeSeconds.Span.Slice(offset, FrameSamples));
            }
        }

        // Wait until every stream has processed its first chunk, so its buffers are at working size.
        while (streams.Any(s => s.SamplesEmitted == 0))
        {
            await Task.Delay(20);
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        foreach (var stream in streams)
        {
            await stream.AbortAsync();
        }

        return (after - before) / count;
    }

    private static double Measure(Action action)
    {
        var best = double.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            var started = Stopwatch.GetTimestamp();
            action();
            best = Math.Min(best, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }

        return best;
    }

    private static string Describe(StreamingSettings s, int rate) => Invariant(
        $"chunk {s.ChunkSeconds} s, overlap {s.OverlapSeconds} s, context {s.ContextSeconds} s, latency {s.LatencySamples(rate) * 1000.0 / rate:F0} ms");

    /// <summary>Speech-like bursts (harmonic tones with a syllable envelope) in broadband noise, deterministic.</summary>
    private static float[] SyntheticSignal(int length, int rate)
    {
        var random = new Random(42);
        var signal = new float[length];
        for (var i = 0; i < length; i++)
        {
            var t = (double)i / rate;
            var envelope = Math.Max(0, Math.Sin(2 * Math.PI * 2.5 * t));
            var pitch = 120 + 30 * Math.Sin(2 * Math.PI * 0.3 * t);
            var voice = 0.0;
            for (var h = 1; h <= 8; h++)
            {
                voice += Math.Sin(2 * Math.PI * pitch * h * t) / h;
            }

            signal[i] = (float)(0.1 * envelope * voice + 0.03 * (random.NextDouble() * 2 - 1));
        }

        return signal;
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
