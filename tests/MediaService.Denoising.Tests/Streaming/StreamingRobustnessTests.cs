using AudioStream.MediaService.Denoising.Hosting;
using AudioStream.MediaService.Denoising.Onnx;
using AudioStream.MediaService.Denoising.Streaming;
using AudioStream.MediaService.Denoising.Tests.Support;

namespace AudioStream.MediaService.Denoising.Tests.Streaming;

public sealed class StreamingRobustnessTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    public static TheoryData<string> Inputs => new(["empty", "one sample", "NaN and infinities", "silence", "clipped full scale", "60 seconds"]);

    [SkippableTheory]
    [MemberData(nameof(Inputs))]
    public async Task Bad_inputs_give_finite_output_of_the_same_length(string name)
    {
        var random = new Random(5);
        var input = name switch
        {
            "empty" => [],
            "one sample" => [0.5f],
            "NaN and infinities" => Enumerable.Range(0, 48_000).Select(i => i % 100 == 0 ? float.NaN : i % 333 == 0 ? float.PositiveInfinity : 0.1f * MathF.Sin(i)).ToArray(),
            "silence" => new float[48_000],
            "clipped full scale" => Enumerable.Range(0, 48_000).Select(i => MathF.Sin(i * 0.05f) > 0 ? 1f : -1f).ToArray(),
            _ => Enumerable.Range(0, 60 * 48_000).Select(_ => (float)(random.NextDouble() - 0.5) * 0.2f).ToArray(),
        };

        await using var denoiser = new ChunkedStreamDenoiser(fixture.Engine, ChunkSettings.Default.WithRoomyQueue());
        var output = await StreamRunner.RunAsync(denoiser, input);

        Assert.Equal(input.Length, output.Length);
        Assert.All(output, v => Assert.True(float.IsFinite(v) && Math.Abs(v) < 100, $"sample {v}"));
        Assert.Equal(0, denoiser.ChunksPassedThrough);
        if (name == "silence")
        {
            Assert.All(output, v => Assert.True(Math.Abs(v) < 1e-3));
        }
    }

    [SkippableFact]
    public async Task Frames_of_any_size_give_the_same_output()
    {
        var noisy = fixture.Clip("dns-01", "noisy.wav")[..(48_000 * 5)];
        await using var small = new ChunkedStreamDenoiser(fixture.Engine, ChunkSettings.Default.WithRoomyQueue());
        await using var odd = new ChunkedStreamDenoiser(fixture.Engine, ChunkSettings.Default.WithRoomyQueue());

        var a = await StreamRunner.RunAsync(small, noisy, 960);
        var b = await StreamRunner.RunAsync(odd, noisy, 4_099);

        Assert.Equal(a, b);
    }

    [SkippableFact]
    public async Task Streams_report_their_mode_and_latency()
    {
        TestAssets.RequireModel();
        using var chunkedFactory = new StreamDenoiserFactory(fixture.Engine, new DenoiserOptions { Mode = "chunked" });

        await using var stateful = fixture.Streams.Create();
        await using var chunked = chunkedFactory.Create();

        Assert.Equal((DenoiserModes.Stateful, true, (string?)null), (stateful.Mode, stateful.IsDenoising, stateful.PassThroughReason));
        Assert.Equal(TimeSpan.FromMilliseconds(40), stateful.Latency);
        Assert.Equal(TimeSpan.FromMilliseconds(40), fixture.Streams.Latency);
        Assert.Equal(DenoiserModes.Chunked, chunked.Mode);
        Assert.Equal(96_000, chunked.LatencySamples);
        Assert.Equal(TimeSpan.FromSeconds(2), chunkedFactory.Latency);
    }

    [Fact]
    public void An_unknown_mode_is_refused_naming_the_setting()
    {
        using var engine = DeepFilterNetEngine.CreateUnavailable("test");

        var error = Assert.Throws<ArgumentException>(() => new StreamDenoiserFactory(engine, new DenoiserOptions { Mode = "fast" }));

        Assert.Contains("Denoiser:Mode is 'fast'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_model_streams_pass_audio_through_unchanged_and_say_so()
    {
        using var engine = DeepFilterNetEngine.CreateUnavailable("Denoising unavailable: no model for this test.");
        await using var denoiser = new ChunkedStreamDenoiser(engine, ChunkSettings.Default);
        var input = Enumerable.Range(0, 10_000).Select(i => MathF.Sin(i * 0.01f)).ToArray();

        var output = await StreamRunner.RunAsync(denoiser, input, 960);

        Assert.False(denoiser.IsDenoising);
        Assert.Equal("Denoising unavailable: no model for this test.", denoiser.PassThroughReason);
        Assert.Equal(0, denoiser.LatencySamples);
        Assert.Equal(input, output);
    }

    [Fact]
    public async Task A_full_queue_drops_new_frames_and_counts_them()
    {
        using var engine = DeepFilterNetEngine.CreateUnavailable("test");
        await using var denoiser = new ChunkedStreamDenoiser(engine, ChunkSettings.Default with { MaxQueuedSeconds = 0.001 });

        var accepted = denoiser.Write(new float[48]);
        var dropped = denoiser.Write(new float[4_800]);
        denoiser.Complete();

        Assert.True(accepted);
        Assert.False(dropped);
        Assert.Equal(4_800, denoiser.SamplesDropped);
        Assert.False(denoiser.Write(new float[1]));
    }
}
