using System.Diagnostics;
using System.Globalization;
using AudioStream.MediaService.Denoising.Audio;
using AudioStream.MediaService.Denoising.Hosting;
using AudioStream.MediaService.Denoising.Onnx;
using AudioStream.MediaService.Denoising.Streaming;
using Microsoft.Extensions.Logging.Abstractions;

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
            : SyntheticSpeech.Generate(rate * 10, rate);
        var seconds = (double)signal.Length / rate;
        Line("provider: " + DenoiserMetrics.ProviderName(engine.Provider) +
            (engine.DeviceId is { } id ? Invariant($" (device {id})") : "") +
            (engine.CudaFailure is { } why ? $" (CUDA not usable: {FirstLine(why)})" : ""));
        Line(Invariant($"model: {engine.ModelDirectory} (loaded and warmed up in {engine.LoadTime.TotalMilliseconds:F0} ms)"));
        Line(Invariant($"machine: {Environment.ProcessorCount} logical cores; signal {seconds:F1} s; {engine.MaxConcurrentInferences} concurrent inferences"));

        var whole = Measure(() => engine.Denoise(signal));
        Line(Invariant($"whole file: RTF {whole / seconds:F4} ({whole * 1000:F0} ms for {seconds:F1} s, best of 3)"));

        var batchedRtf = double.NaN;
        if (engine.Stateful is null)
        {
            Line($"stateful: unavailable ({engine.StatefulUnavailableReason})");
        }
        else
        {
            // Driven on this thread, streams fed 20 ms each in lockstep: every call advances exactly N streams by two frames.
            using var manual = new FrameBatchScheduler(engine, workers: 0, maxBatch: 64, maxFramesPerCall: 32, NullLogger.Instance);
            foreach (var count in new[] { 1, 8, 32, 64 })
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (rtf, batch) = MeasureLockstep(manual, signal, count, Math.Min(seconds, count >= 32 ? 5 : seconds));
                batchedRtf = rtf;
                Line(count == 1
                    ? Invariant($"stateful, 1 stream: RTF {rtf:F4} (20 ms at a time, frame by frame: one call per 2 frames)")
                    : Invariant($"stateful, {count} streams batched: RTF {rtf:F4} (per stream; calls of {batch:F0} streams x 2 frames)"));
            }
        }

        var chunkedElapsed = Measure(() => DenoiserCommandLine.DenoiseChunked(engine, signal, ChunkSettings.Default));
        Line(Invariant($"chunked ({Describe(ChunkSettings.Default, rate)}): RTF {chunkedElapsed / seconds:F4}"));

        using var factory = new StreamDenoiserFactory(engine, options);
        if (factory.Mode == DenoiserModes.Stateful)
        {
            // Two thirds of what the cores could do at the 64-stream cost: the search goes up or down from there.
            var estimate = Math.Max(1, (int)(Environment.ProcessorCount / batchedRtf * 2 / 3));
            var (streams, detail) = await FindStatefulCapacityAsync(factory, signal, estimate, trialSeconds, cancellationToken);
            Line(Invariant($"concurrent real-time streams, default: {streams} (stateful, {factory.Scheduler!.Workers} worker threads; {detail})"));
        }

        var chunkedEstimate = Math.Max(1, (int)(engine.MaxConcurrentInferences / (chunkedElapsed / seconds) * 0.9));
        var (chunkedStreams, chunkedDetail) = await FindRealTimeCapacityAsync(engine, signal, ChunkSettings.Default, chunkedEstimate, trialSeconds, cancellationToken);
        Line(Invariant($"concurrent real-time streams, chunked: {chunkedStreams} ({chunkedDetail})"));

        if (engine.Stateful is not null)
        {
            var (state, managed) = MeasureStatefulMemory(engine, signal);
            Line(Invariant($"memory per stream (stateful): {state / 1024.0:F0} KB of carried state, {managed / 1024.0:F0} KB managed heap in all; shared engine (sessions after warm-up, working set): {engineWorkingSet / 1024.0 / 1024.0:F0} MB"));
        }

        var perStream = await MeasureMemoryPerStreamAsync(engine, signal, ChunkSettings.Default);
        Line(Invariant($"memory per stream (chunked, managed heap): {perStream / 1024.0 / 1024.0:F2} MB"));
        return DenoiserCommandLine.Success;
    }

    /// <summary>
    /// Feeds <paramref name="count"/> frame-by-frame streams 20 ms each and runs the scheduler on this thread, which
    /// advances them all in one call, and repeats: wall time per stream and second of audio is the RTF of such calls.
    /// </summary>
    private static (double Rtf, double MeanBatch) MeasureLockstep(FrameBatchScheduler scheduler, float[] signal, int count, double seconds)
    {
        var engine = scheduler.Engine;
        var streams = Enumerable.Range(0, count)
            .Select(_ => new StatefulStreamDenoiser(scheduler, engine, double.PositiveInfinity, NullLogger.Instance)).ToArray();
        var frames = (int)(seconds * engine.SampleRate) / FrameSamples;
        void Step(int f)
        {
            var offset = f * FrameSamples % (signal.Length - FrameSamples);
            foreach (var stream in streams)
            {
                stream.Write(signal.AsSpan(offset, FrameSamples));
                while (stream.Output.TryRead(out _))
                {
                }
            }

            scheduler.RunPending();
        }

        Step(0); // the first frames only prime the streams
        var (callsBefore, framesBefore) = scheduler.Totals;
        var started = Stopwatch.GetTimestamp();
        for (var f = 1; f <= frames; f++)
        {
            Step(f);
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var (calls, streamFrames) = scheduler.Totals;
        foreach (var stream in streams)
        {
            stream.Complete();
        }

        scheduler.RunPending();
        var audio = (double)frames * FrameSamples / engine.SampleRate;
        return (elapsed / (audio * count), (double)(streamFrames - framesBefore) / Math.Max(1, calls - callsBefore) / 2);
    }

    /// <summary>
    /// Feeds N frame-by-frame streams in real time (20 ms per stream every 20 ms, phases staggered) and checks each
    /// keeps up: nothing passed through unprocessed, and 99 % of output blocks leave within 40 ms (the live service's
    /// playout margin) of the input that finalises them being written. Searches N from the estimate in 10 % steps.
    /// </summary>
    private static async Task<(int Streams, string Detail)> FindStatefulCapacityAsync(
        StreamDenoiserFactory factory, float[] signal, int estimate, double seconds, CancellationToken cancellationToken)
    {
        const double AllowedLateness = 0.040;
        var passed = 0;
        var failed = int.MaxValue;
        var detail = "none kept up";
        var n = estimate;
        for (var trial = 0; trial < 7 && n > passed && n < failed; trial++)
        {
            var (p99, worst, notDenoised) = await StatefulTrialAsync(factory, signal, n, seconds, cancellationToken);
            if (notDenoised == 0 && p99 <= AllowedLateness)
            {
                passed = n;
                detail = Invariant($"{n} streams fed in real time for {seconds:F0} s: output p99 {p99 * 1000:F0} ms / worst {worst * 1000:F0} ms after the input that finalises it, all denoised");
            }
            else
            {
                failed = n;
                if (passed == 0)
                {
                    detail = Invariant($"{n} streams fell behind: output p99 {p99 * 1000:F0} ms, {notDenoised} samples passed through");
                }
            }

            // Up by a quarter until a step fails, then halve the interval between what passed and what failed.
            n = failed == int.MaxValue ? (int)Math.Ceiling(n * 1.25) : passed + (failed - passed) / 2;
            n = Math.Max(n, 1);
        }

        return (passed, detail);
    }

    private static async Task<(double P99, double Worst, long NotDenoised)> StatefulTrialAsync(
        StreamDenoiserFactory factory, float[] signal, int count, double seconds, CancellationToken cancellationToken)
    {
        var engine = factory.Engine;
        var rate = engine.SampleRate;
        var lag = StreamDenoiserFactory.StatefulLatencySamples(engine.Config!) - engine.Config!.HopSize;
        var frames = (int)(seconds * rate) / FrameSamples;
        var clock = Stopwatch.StartNew();
        var streams = Enumerable.Range(0, count).Select(_ => factory.CreateStateful(1.0)).ToArray();
        var written = streams.Select(_ => new double[frames + 1]).ToArray();
        var lateness = streams.Select(_ => new List<double>()).ToArray();
        var drains = streams.Select((s, i) => Task.Run(async () =>
        {
            await foreach (var block in s.Output.ReadAllAsync())
            {
                // The block's last sample needed input up to `lag` samples later, written with frame `needed`.
                var needed = (int)((block.SampleOffset + block.Samples.Length - 1 + lag) / FrameSamples);
                if (needed < frames && Volatile.Read(ref written[i][needed]) > 0)
                {
                    lateness[i].Add(clock.Elapsed.TotalSeconds - written[i][needed]);
                }
            }
        })).ToArray();

        // Stream i writes its frames at i/count of a frame period past the others: independent callers.
        var period = (double)FrameSamples / rate;
        var next = new int[count];
        var start = clock.Elapsed.TotalSeconds;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(2));
        while (next.Any(n => n < frames) && await timer.WaitForNextTickAsync(cancellationToken))
        {
            var now = clock.Elapsed.TotalSeconds - start;
            for (var i = 0; i < count; i++)
            {
                for (; next[i] < frames && now >= next[i] * period + period * i / count; next[i]++)
                {
                    var offset = (next[i] * FrameSamples + i * 4801) % (signal.Length - FrameSamples);
                    Volatile.Write(ref written[i][next[i]], clock.Elapsed.TotalSeconds);
                    streams[i].Write(signal.AsSpan(offset, FrameSamples));
                }
            }
        }

        foreach (var stream in streams)
        {
            stream.Complete();
        }

        await Task.WhenAll(drains);
        var all = lateness.SelectMany(l => l).Order().ToArray();
        var notDenoised = streams.Sum(s => s.SamplesNotDenoised);
        foreach (var stream in streams)
        {
            await stream.DisposeAsync();
        }

        return all.Length == 0 ? (double.PositiveInfinity, double.PositiveInfinity, notDenoised)
            : (all[(int)(all.Length * 0.99)], all[^1], notDenoised);
    }

    /// <summary>Carried state of one stream, and the managed heap 64 streams take after a second of 20 ms frames, per stream.</summary>
    private static (long State, long Managed) MeasureStatefulMemory(DeepFilterNetEngine engine, float[] signal)
    {
        const int StreamCount = 64;
        using var scheduler = new FrameBatchScheduler(engine, workers: 0, maxBatch: 64, maxFramesPerCall: 32, NullLogger.Instance);
        long Run(bool measure)
        {
            var before = GC.GetTotalMemory(forceFullCollection: true);
            var streams = Enumerable.Range(0, StreamCount)
                .Select(_ => new StatefulStreamDenoiser(scheduler, engine, double.PositiveInfinity, NullLogger.Instance)).ToArray();
            for (var f = 0; f < 50; f++)
            {
                foreach (var stream in streams)
                {
                    stream.Write(signal.AsSpan(f * FrameSamples, FrameSamples));
                    while (stream.Output.TryRead(out _))
                    {
                    }
                }

                scheduler.RunPending();
            }

            var after = GC.GetTotalMemory(forceFullCollection: true);
            var state = streams[0].StateBytes;
            foreach (var stream in streams)
            {
                stream.Complete();
            }

            scheduler.RunPending();
            GC.KeepAlive(streams);
            return measure ? (after - before) / StreamCount : state;
        }

        var state = Run(measure: false); // sizes the shared batch buffers first
        return (state, Run(measure: true));
    }

    /// <summary>
    /// Feeds N streams in real time (a 20 ms frame per stream every 20 ms, chunk boundaries staggered across
    /// streams as independent callers would be) and checks each keeps up: nothing dropped, and every chunk's output
    /// emitted within one chunk hop of its input being complete (otherwise the backlog grows without bound).
    /// Searches N from the estimate in 10 % steps.
    /// </summary>
    private static async Task<(int Streams, string Detail)> FindRealTimeCapacityAsync(
        DeepFilterNetEngine engine, float[] signal, ChunkSettings settings, int estimate, double seconds,
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
        DeepFilterNetEngine engine, float[] signal, ChunkSettings settings, int count, double seconds,
        CancellationToken cancellationToken)
    {
        var rate = engine.SampleRate;
        var hop = settings.ChunkSamples(rate) - settings.OverlapSamples(rate);
        var pending = settings.OverlapSamples(rate) + settings.LookaheadSamples(rate);
        var total = (int)(seconds * rate) / FrameSamples * FrameSamples;
        var streams = new ChunkedStreamDenoiser[count];
        var prefixes = new int[count];
        var drains = new Task<double>[count];
        var clock = new Stopwatch();
        for (var i = 0; i < count; i++)
        {
            streams[i] = new ChunkedStreamDenoiser(engine, settings);
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
    private static async Task<double> DrainAsync(ChunkedStreamDenoiser stream, Stopwatch clock, int prefix, int pending, int rate)
    {
        long emitted = 0;
        var worst = 0.0;
        await foreach (var block in stream.Output.ReadAllAsync())
        {
            emitted += block.Samples.Length;
            // The block ending at sample q needed input up to q + overlap + lookahead, written at (that − prefix)/rate.
            var inputComplete = (double)(emitted + pending - prefix) / rate;
            if (stream.SamplesWritten >= emitted + pending)
            {
                worst = Math.Max(worst, clock.Elapsed.TotalSeconds - Math.Max(0, inputComplete));
            }
        }

        return worst;
    }

    private static async Task<long> MeasureMemoryPerStreamAsync(DeepFilterNetEngine engine, float[] signal, ChunkSettings settings)
    {
        const int StreamCount = 16;
        var roomy = settings with { MaxQueuedSeconds = 60 };
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var streams = Enumerable.Range(0, StreamCount).Select(_ => new ChunkedStreamDenoiser(engine, roomy)).ToArray();
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

        return (after - before) / StreamCount;
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

    private static string Describe(ChunkSettings s, int rate) => Invariant(
        $"chunk {s.ChunkSeconds} s, overlap {s.OverlapSeconds} s, context {s.ContextSeconds} s, latency {s.LatencySamples(rate) * 1000.0 / rate:F0} ms");

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
