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

    /// <summary>Streams created without explicit settings use the low-latency preset.</summary>
    public bool LowLatency { get; set; }

    public double ChunkSeconds { get; set; } = StreamingSettings.Default.ChunkSeconds;

    public double OverlapSeconds { get; set; } = StreamingSettings.Default.OverlapSeconds;

    public double ContextSeconds { get; set; } = StreamingSettings.Default.ContextSeconds;

    public double LookaheadSeconds { get; set; } = StreamingSettings.Default.LookaheadSeconds;

    public double LowLatencyChunkSeconds { get; set; } = StreamingSettings.LowLatency.ChunkSeconds;

    public double LowLatencyOverlapSeconds { get; set; } = StreamingSettings.LowLatency.OverlapSeconds;

    public double LowLatencyContextSeconds { get; set; } = StreamingSettings.LowLatency.ContextSeconds;

    public double LowLatencyLookaheadSeconds { get; set; } = StreamingSettings.LowLatency.LookaheadSeconds;

    /// <summary>Audio a stream may queue ahead of its worker before <c>Write</c> starts dropping frames.</summary>
    public double MaxQueuedSeconds { get; set; } = StreamingSettings.Default.MaxQueuedSeconds;

    /// <summary>Inferences allowed at once across all streams; 0 means one per processor.</summary>
    public int MaxConcurrentInferences { get; set; }

    /// <summary>Run the two decoders concurrently (one intra-op thread each), which lowers single-stream latency.</summary>
    public bool ParallelDecoders { get; set; } = true;

    public StreamingSettings DefaultStreaming =>
        new(ChunkSeconds, OverlapSeconds, ContextSeconds, LookaheadSeconds, MaxQueuedSeconds);

    public StreamingSettings LowLatencyStreaming => new(
        LowLatencyChunkSeconds, LowLatencyOverlapSeconds, LowLatencyContextSeconds, LowLatencyLookaheadSeconds, MaxQueuedSeconds);
}
