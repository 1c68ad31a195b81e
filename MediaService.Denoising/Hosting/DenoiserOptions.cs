using AudioStream.MediaService.Denoising.Streaming;

namespace AudioStream.MediaService.Denoising.Hosting;

/// <summary>Configuration section <c>Denoiser</c>.</summary>
public sealed class DenoiserOptions
{
    public const string SectionName = "Denoiser";

    /// <summary>Folder name looked up under <c>models/</c> and <c>../shared/models/</c>.</summary>
    public string ModelName { get; set; } = "DeepFilterNet3_onnx";

    /// <summary>Explicit export folder; wins over the lookup by <see cref="ModelName"/>.</summary>
    public string? ModelPath { get; set; }

    /// <summary>Try the CUDA execution provider first (falls back to CPU when it cannot start a session).</summary>
    public bool PreferGpu { get; set; } = true;

    public int CudaDeviceId { get; set; }

    /// <summary>
    /// How live streams are denoised: <c>stateful</c> (frame by frame with the model's state carried, 40 ms; falls back
    /// to chunks with a logged reason when the export cannot be rewritten) or <c>chunked</c> (the seed's chunks).
    /// </summary>
    public string Mode { get; set; } = DenoiserModes.Stateful;

    /// <summary>Chunked mode: chunk length.</summary>
    public double ChunkSeconds { get; set; } = ChunkSettings.Default.ChunkSeconds;

    /// <summary>Chunked mode: crossfade between neighbouring chunks.</summary>
    public double OverlapSeconds { get; set; } = ChunkSettings.Default.OverlapSeconds;

    /// <summary>Chunked mode: audio before each chunk fed to warm the recurrent layers.</summary>
    public double ContextSeconds { get; set; } = ChunkSettings.Default.ContextSeconds;

    /// <summary>Chunked mode: audio after each chunk so the model's lookahead is not starved.</summary>
    public double LookaheadSeconds { get; set; } = ChunkSettings.Default.LookaheadSeconds;

    /// <summary>
    /// Audio a live stream may have waiting for the denoiser. Beyond it the stateful mode passes the backlog through
    /// unprocessed and restarts cleanly after it (default 1 s); the chunked mode drops incoming frames (default 5 s: a
    /// chunk waits its turn for a core).
    /// </summary>
    public double? MaxQueuedSeconds { get; set; }

    public const double StatefulMaxQueuedSeconds = 1.0;

    /// <summary>Chunked mode: inferences allowed at once across all streams; 0 means one per processor.</summary>
    public int MaxConcurrentInferences { get; set; }

    /// <summary>Run the two decoders concurrently (one intra-op thread each) in whole-buffer calls, which lowers chunk latency.</summary>
    public bool ParallelDecoders { get; set; } = true;

    /// <summary>Stateful mode: threads running batched model calls; 0 means one per processor on CPU, two per GPU.</summary>
    public int Workers { get; set; }

    /// <summary>Stateful mode: most streams in one model call; 0 means 64 on CPU, 256 on a GPU.</summary>
    public int MaxBatch { get; set; }

    /// <summary>
    /// Stateful mode: shortest time between one worker's model calls; streams that get audio meanwhile share the next
    /// call. Adds at most this much delay; 0 calls for every stream as soon as a worker is free (cheapest delay, dearest CPU).
    /// </summary>
    public double TickMilliseconds { get; set; } = 10;

    /// <summary>Stateful mode: most frames one stream advances in one call (a stream catching up takes several calls).</summary>
    public int MaxFramesPerCall { get; set; } = 32;

    public ChunkSettings ChunkedStreaming =>
        new(ChunkSeconds, OverlapSeconds, ContextSeconds, LookaheadSeconds, MaxQueuedSeconds ?? ChunkSettings.Default.MaxQueuedSeconds);
}
