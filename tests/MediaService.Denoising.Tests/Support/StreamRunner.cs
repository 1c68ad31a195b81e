using AudioStream.MediaService.Denoising.Streaming;

namespace AudioStream.MediaService.Denoising.Tests.Support;

public static class StreamRunner
{
    /// <summary>Feeds <paramref name="input"/> in frames as fast as the queue takes them, completes, and collects all output.</summary>
    public static async Task<float[]> RunAsync(IStreamDenoiser denoiser, float[] input, int frameSamples = 960)
    {
        var collected = CollectAsync(denoiser);
        for (var offset = 0; offset < input.Length; offset += frameSamples)
        {
            var frame = new ArraySegment<float>(input, offset, Math.Min(frameSamples, input.Length - offset));
            while (!denoiser.Write(frame))
            {
                await Task.Delay(1);
            }
        }

        denoiser.Complete();
        return await collected;
    }

    /// <summary>All output in order; every block must start where the previous one ended.</summary>
    public static async Task<float[]> CollectAsync(IStreamDenoiser denoiser)
    {
        var output = new List<float>();
        await foreach (var block in denoiser.Output.ReadAllAsync())
        {
            Assert.Equal(output.Count, block.SampleOffset);
            output.AddRange(block.Samples);
        }

        await denoiser.Completion;
        return [.. output];
    }

    public static ChunkSettings WithRoomyQueue(this ChunkSettings settings) => settings with { MaxQueuedSeconds = 120 };
}
