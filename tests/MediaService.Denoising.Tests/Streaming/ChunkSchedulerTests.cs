using AudioStream.MediaService.Denoising.Streaming;

namespace AudioStream.MediaService.Denoising.Tests.Streaming;

public sealed class ChunkSchedulerTests
{
    public static TheoryData<int, int, int, int, int, int> Schedules => new()
    {
        // chunk, overlap, context, lookahead, frame, total
        { 96_000, 24_000, 9_600, 0, 960, 480_000 },
        { 9_600, 960, 96_000, 0, 960, 100_001 },
        { 1000, 0, 0, 0, 7, 12_345 },
        { 1000, 999, 10, 30, 333, 5_000 },
        { 96_000, 24_000, 9_600, 0, 960, 1 },
        { 96_000, 24_000, 9_600, 0, 960, 0 },
        { 96_000, 24_000, 9_600, 1440, 100_000, 250_000 },
    };

    [Theory]
    [MemberData(nameof(Schedules))]
    public void Identity_processing_gives_back_the_input_sample_for_sample(int chunk, int overlap, int context, int lookahead, int frame, int total)
    {
        var input = Enumerable.Range(0, total).Select(i => MathF.Sin(i * 0.01f) + i * 1e-6f).ToArray();
        var output = new List<float>();
        var scheduler = new ChunkScheduler(chunk, overlap, context, lookahead, (x, y) => x.CopyTo(y));

        for (var offset = 0; offset < total; offset += frame)
        {
            scheduler.Append(input.AsSpan(offset, Math.Min(frame, total - offset)));
            scheduler.ProcessReady(block => output.AddRange(block.ToArray()));
        }

        scheduler.Flush(block => output.AddRange(block.ToArray()));

        Assert.Equal(total, output.Count);
        Assert.Equal(total, scheduler.SamplesEmitted);
        for (var i = 0; i < total; i++)
        {
            Assert.Equal(input[i], output[i], 1e-6);
        }
    }

    [Fact]
    public void Each_chunk_sees_its_context_and_emits_chunk_minus_overlap()
    {
        var inputs = new List<int>();
        var emitted = new List<int>();
        var scheduler = new ChunkScheduler(100, 20, 50, 0, (x, y) =>
        {
            inputs.Add(x.Length);
            x.CopyTo(y);
        });

        scheduler.Append(new float[300]);
        scheduler.ProcessReady(block => emitted.Add(block.Length));

        // Chunks start at 0, 80, 160: the first has no history, the others 50 samples of context.
        Assert.Equal([100, 150, 150], inputs);
        Assert.Equal([80, 80, 80], emitted);
        Assert.Equal(100, scheduler.LatencySamples);
    }

    [Fact]
    public void A_failing_processor_passes_the_chunk_through_and_the_schedule_continues()
    {
        var calls = 0;
        var errors = new List<Exception>();
        var scheduler = new ChunkScheduler(100, 10, 0, 0, (x, y) =>
        {
            if (calls++ == 1)
            {
                throw new InvalidOperationException("model failed");
            }

            y.Clear();
        }, errors.Add);
        var output = new List<float>();

        scheduler.Append(Enumerable.Repeat(1f, 400).ToArray());
        scheduler.Flush(block => output.AddRange(block.ToArray()));

        Assert.Equal(400, output.Count);
        Assert.Single(errors);
        Assert.Equal(1, scheduler.ChunksFailed);
        Assert.Contains(output, v => v > 0.99f);
    }

    [Fact]
    public void Overlap_must_be_shorter_than_a_chunk() =>
        Assert.Throws<ArgumentException>(() => new ChunkScheduler(100, 100, 0, 0, (x, y) => x.CopyTo(y)));
}
