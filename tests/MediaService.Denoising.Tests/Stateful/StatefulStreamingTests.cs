using AudioStream.MediaService.Denoising.Audio;
using AudioStream.MediaService.Denoising.Onnx.Stateful;
using AudioStream.MediaService.Denoising.Streaming;
using AudioStream.MediaService.Denoising.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace AudioStream.MediaService.Denoising.Tests.Stateful;

public sealed class StatefulStreamingTests(EngineFixture fixture, ITestOutputHelper output) : IClassFixture<EngineFixture>
{
    public static TheoryData<string> Clips => new(TestAssets.Clips);

    [SkippableTheory]
    [MemberData(nameof(Clips))]
    public async Task Frame_by_frame_output_equals_the_whole_file_output(string clip)
    {
        var noisy = fixture.Clip(clip, "noisy.wav");
        var whole = fixture.WholeFile(clip);
        await using var stream = fixture.StatefulStream();

        var streamed = await StreamRunner.RunAsync(stream, noisy);

        Assert.Equal(whole.Length, streamed.Length);
        var snr = Quality.Snr(whole, streamed);
        var shifted = new[] { -1, 1 }.Max(lag => Quality.Snr(whole.AsSpan(Math.Max(0, lag)), streamed.AsSpan(Math.Max(0, -lag))));
        output.WriteLine($"{clip}: frame-by-frame vs whole file {snr:F1} dB (one sample off: {shifted:F1} dB)");
        Assert.True(snr >= 40, $"SNR of streaming against whole-file output is {snr:F1} dB");
        Assert.True(snr > shifted + 10, "the output is not sample-aligned with the whole-file output");
        Assert.Equal(0, stream.SamplesNotDenoised);
    }

    [SkippableFact]
    public void Network_outputs_over_10_seconds_of_speech_equal_the_whole_sequence_within_1e_4()
    {
        var engine = fixture.Engine;
        var subject = engine.ModelInputs(fixture.Clip("dns-01", "noisy.wav").AsSpan(0, 48_000 * 10));
        var companion = engine.ModelInputs(fixture.Clip("dns-02", "noisy.wav").AsSpan(0, 48_000 * 10));
        var calls = Enumerable.Repeat(2, subject.Frames / 2).ToList();

        var (mask, coefs) = StatefulModelCheck.MaxDifference(engine.Stateful!, engine.Sessions!, subject, companion, calls);

        output.WriteLine($"{subject.Frames} frames: max |mask diff| {mask:G3}, max |coefs diff| {coefs:G3}");
        Assert.InRange(mask, 0f, 1e-4f);
        Assert.InRange(coefs, 0f, 1e-4f);
    }

    [SkippableFact]
    public void A_stream_batched_with_others_joining_and_leaving_gets_what_it_gets_alone_within_1e_5()
    {
        var engine = fixture.Engine;
        var model = engine.Stateful!;
        var clips = TestAssets.Clips.Select(c => engine.ModelInputs(fixture.Clip(c, "noisy.wav").AsSpan(0, 48_000 * 2))).ToArray();
        const int Calls = 60, Frames = 2;
        var alone = Run(model, [(clips[0], 0, Calls)], Calls, Frames)[0];
        // B joins at call 5 and leaves at call 30; C joins at call 12 and stays; each starts fresh when it joins.
        var together = Run(model, [(clips[0], 0, Calls), (clips[1], 5, 30), (clips[2], 12, Calls)], Calls, Frames)[0];

        var mask = alone.Mask.Zip(together.Mask, (a, b) => MathF.Abs(a - b)).Max();
        var coefs = alone.Coefs.Zip(together.Coefs, (a, b) => MathF.Abs(a - b)).Max();
        output.WriteLine($"alone vs batched: mask {mask:G3}, coefs {coefs:G3}");
        Assert.InRange(mask, 0f, 1e-5f);
        Assert.InRange(coefs, 0f, 1e-5f);
    }

    [SkippableFact]
    public async Task Live_streams_starting_and_ending_at_different_times_each_match_their_solo_run()
    {
        var clips = TestAssets.Clips.Select(c => fixture.Clip(c, "noisy.wav")[..(48_000 * 4)]).ToArray();
        var solo = new List<float[]>();
        foreach (var clip in clips)
        {
            await using var alone = fixture.StatefulStream();
            solo.Add(await StreamRunner.RunAsync(alone, clip));
        }

        var streams = clips.Select(_ => fixture.StatefulStream()).ToArray();
        var outputs = streams.Select(StreamRunner.CollectAsync).ToArray();
        var starts = new[] { 0, 50, 120 };
        var ends = new[] { clips[0].Length / 960, clips[1].Length / 960 - 60, clips[2].Length / 960 };
        for (var frame = 0; frame < 400; frame++)
        {
            for (var i = 0; i < streams.Length; i++)
            {
                var at = frame - starts[i];
                if (at >= 0 && at < ends[i])
                {
                    streams[i].Write(clips[i].AsSpan(at * 960, 960));
                }
                else if (at == ends[i])
                {
                    streams[i].Complete();
                }
            }

            if (frame % 8 == 0)
            {
                await Task.Delay(2);
            }
        }

        for (var i = 0; i < streams.Length; i++)
        {
            streams[i].Complete();
            var result = await outputs[i];
            await streams[i].DisposeAsync();
            // The last 40 ms of a stream that ended early see its end; compare what comes before.
            Assert.Equal(ends[i] * 960, result.Length);
            var compared = ends[i] * 960 - 1920;
            var snr = Quality.Snr(solo[i].AsSpan(0, compared), result.AsSpan(0, compared));
            output.WriteLine($"stream {i}: {result.Length} samples, {snr:F1} dB against its solo run");
            Assert.True(snr >= 60, $"stream {i} differs from its solo run: {snr:F1} dB");
        }
    }

    [SkippableFact]
    public async Task A_30_minute_stream_keeps_its_timing_its_cost_and_its_memory()
    {
        const int Rate = 48_000, Minute = Rate * 60, Minutes = 30;
        // A minute that repeats exactly: any two minutes of output should then match.
        var signal = SyntheticSpeech.Generate(Minute, Rate, seed: 7);
        await using var stream = fixture.StatefulStream();
        long received = 0;
        var lastMinute = new float[Minute];
        var firstMinute = new float[Minute];
        var nonFinite = 0;
        var reader = Task.Run(async () =>
        {
            await foreach (var block in stream.Output.ReadAllAsync())
            {
                Assert.Equal(received, block.SampleOffset);
                foreach (var (sample, i) in block.Samples.Select((s, i) => (s, i)))
                {
                    var position = block.SampleOffset + i;
                    nonFinite += float.IsFinite(sample) ? 0 : 1;
                    if (position < Minute)
                    {
                        firstMinute[position] = sample;
                    }
                    else if (position >= (long)(Minutes - 1) * Minute)
                    {
                        lastMinute[position - (long)(Minutes - 1) * Minute] = sample;
                    }
                }

                received += block.Samples.Length;
            }
        });

        var cpu = new List<TimeSpan>();
        var allocated = new List<long>();
        var memory = new List<long>();
        for (var m = 0; m < Minutes; m++)
        {
            var started = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            var allocatedBefore = GC.GetTotalAllocatedBytes();
            for (var second = 0; second < 60; second++)
            {
                stream.Write(signal.AsSpan(second * Rate, Rate));
            }

            while (stream.SamplesEmitted < (m + 1L) * Minute - 4 * 480)
            {
                await Task.Delay(5);
            }

            cpu.Add(System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - started);
            allocated.Add(GC.GetTotalAllocatedBytes() - allocatedBefore);
            if (m is 4 or Minutes - 1)
            {
                memory.Add(GC.GetTotalMemory(forceFullCollection: true));
            }
        }

        stream.Complete();
        await reader;

        output.WriteLine($"CPU per Minute of audio: first 5 {cpu.Take(5).Average(t => t.TotalMilliseconds):F0} ms, last 5 {cpu.TakeLast(5).Average(t => t.TotalMilliseconds):F0} ms");
        output.WriteLine($"allocated per minute: first {allocated[1] / 1e6:F1} MB, last {allocated[^1] / 1e6:F1} MB; heap at Minute 5 {memory[0] / 1e6:F1} MB, at the end {memory[1] / 1e6:F1} MB");
        Assert.Equal((long)Minutes * Minute, received);
        Assert.Equal(0, nonFinite);
        Assert.Equal(0, stream.SamplesNotDenoised);
        // Every minute of input is the same: so must every minute of output be, once the normalisations settled.
        var drift = Quality.Snr(firstMinute.AsSpan(Rate * 30), lastMinute.AsSpan(Rate * 30));
        output.WriteLine($"Minute 30 against Minute 1 (second halves): {drift:F1} dB");
        Assert.True(drift >= 30, $"the last Minute differs from the first: {drift:F1} dB");
        Assert.True(cpu.TakeLast(5).Average(t => t.TotalMilliseconds) < 2 * cpu.Skip(1).Take(5).Average(t => t.TotalMilliseconds), "cost grows over the stream");
        Assert.True(allocated[^1] < allocated[1] * 1.25 + 1_000_000, "allocations grow over the stream");
        Assert.True(memory[1] - memory[0] < 4_000_000, $"the heap grew by {(memory[1] - memory[0]) / 1e6:F1} MB over 25 Minutes");
    }

    [SkippableFact]
    public async Task A_stream_that_falls_behind_passes_its_backlog_through_and_keeps_its_timeline()
    {
        var noisy = fixture.Clip("dns-01", "noisy.wav")[..(48_000 * 6)];
        await using var stream = fixture.Streams.CreateStateful(maxQueuedSeconds: 0.1);
        var collected = StreamRunner.CollectAsync(stream);

        // Two seconds at once: far more than 0.1 s waits, so it goes through as it came.
        stream.Write(noisy.AsSpan(0, 96_000));
        for (var offset = 96_000; offset < noisy.Length; offset += 960)
        {
            await Task.Delay(5);
            stream.Write(noisy.AsSpan(offset, 960));
        }

        stream.Complete();
        var result = await collected;

        Assert.Equal(noisy.Length, result.Length);
        Assert.InRange(stream.SamplesNotDenoised, 90_000, 96_000);
        Assert.Equal(noisy.AsSpan(0, 90_000).ToArray(), result.AsSpan(0, 90_000).ToArray());
        // What came later in time was denoised again: its noise is attenuated (passed through, it would not be).
        var reference = fixture.Clip("dns-01", "df2_pf.wav");
        var attenuation = Quality.NoiseAttenuation(noisy.AsSpan(144_000), reference.AsSpan(144_000, noisy.Length - 144_000), result.AsSpan(144_000));
        var wholeAttenuation = Quality.NoiseAttenuation(noisy.AsSpan(144_000), reference.AsSpan(144_000, noisy.Length - 144_000), fixture.WholeFile("dns-01").AsSpan(144_000));
        output.WriteLine($"noise attenuation over the last 3 s: {attenuation:F1} dB (whole file {wholeAttenuation:F1} dB)");
        Assert.True(attenuation >= 3 && attenuation >= wholeAttenuation - 2, $"the last 3 s look passed through: noise attenuated by {attenuation:F1} dB");
    }

    [SkippableFact]
    public async Task An_aborted_stream_completes_without_its_pending_input()
    {
        await using var stream = fixture.StatefulStream();
        var collected = StreamRunner.CollectAsync(stream);
        stream.Write(new float[48_000 * 20]);

        await stream.AbortAsync();
        var result = await collected;

        Assert.True(result.Length < 48_000 * 20);
        Assert.False(stream.Write(new float[960]));
    }

    private static List<(float[] Mask, float[] Coefs)> Run(
        StatefulModel model, (ModelInputs Inputs, int Join, int Leave)[] streams, int calls, int frames)
    {
        using var batch = new StatefulBatch(model);
        using var runOptions = new RunOptions();
        var states = streams.Select(_ => model.CreateState()).ToArray();
        var results = streams.Select(_ => (Mask: new List<float>(), Coefs: new List<float>())).ToArray();
        for (var call = 0; call < calls; call++)
        {
            var members = Enumerable.Range(0, streams.Length).Where(i => call >= streams[i].Join && call < streams[i].Leave).ToArray();
            batch.Begin(members.Length, frames);
            for (var slot = 0; slot < members.Length; slot++)
            {
                var i = members[slot];
                batch.States[slot] = states[i];
                streams[i].Inputs.CopyFrame(batch, slot, (call - streams[i].Join) * frames, frames);
            }

            model.Run(batch, runOptions);
            for (var slot = 0; slot < members.Length; slot++)
            {
                for (var j = 0; j < frames; j++)
                {
                    results[members[slot]].Mask.AddRange(batch.Mask(slot, j).ToArray());
                    results[members[slot]].Coefs.AddRange(batch.Coefs(slot, j).ToArray());
                }
            }
        }

        return [.. results.Select(r => (r.Mask.ToArray(), r.Coefs.ToArray()))];
    }
}
