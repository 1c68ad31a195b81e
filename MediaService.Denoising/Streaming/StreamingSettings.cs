namespace AudioStream.MediaService.Denoising.Streaming;

/// <summary>
/// How a stream is cut for the model: chunks of <see cref="ChunkSeconds"/>, each fed <see cref="ContextSeconds"/>
/// of preceding audio so the recurrent layers start warm, neighbours joined by a linear crossfade over
/// <see cref="OverlapSeconds"/>.
/// </summary>
public sealed record StreamingSettings(
    double ChunkSeconds,
    double OverlapSeconds,
    double ContextSeconds,
    double MaxQueuedSeconds = 5.0)
{
    /// <summary>2.0 s chunks, 0.5 s crossfade, 0.2 s context: whole-file quality, 2 s of delay.</summary>
    public static StreamingSettings Default { get; } = new(2.0, 0.5, 0.2);

    /// <summary>For conversation: 0.2 s chunks, 0.05 s crossfade, 0.2 s context: 0.2 s of delay at about twice the compute.</summary>
    public static StreamingSettings LowLatency { get; } = new(0.2, 0.05, 0.2);

    public int ChunkSamples(int sampleRate) => (int)Math.Round(ChunkSeconds * sampleRate);

    public int OverlapSamples(int sampleRate) => (int)Math.Round(OverlapSeconds * sampleRate);

    public int ContextSamples(int sampleRate) => (int)Math.Round(ContextSeconds * sampleRate);

    /// <summary>Throws when the settings cannot describe a chunking (overlap must be shorter than a chunk).</summary>
    public void Validate(int sampleRate)
    {
        var chunk = ChunkSamples(sampleRate);
        var overlap = OverlapSamples(sampleRate);
        if (chunk < 1 || overlap < 0 || overlap >= chunk || ContextSamples(sampleRate) < 0 || MaxQueuedSeconds <= 0
            || ChunkSeconds > 600 || ContextSeconds > 60)
        {
            throw new ArgumentException(
                $"Invalid streaming settings: chunk {ChunkSeconds} s, overlap {OverlapSeconds} s, context {ContextSeconds} s, " +
                $"queue {MaxQueuedSeconds} s (need 0 <= overlap < chunk <= 600 s, 0 <= context <= 60 s, queue > 0).");
        }
    }
}
