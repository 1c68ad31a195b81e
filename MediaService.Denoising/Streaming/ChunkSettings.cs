namespace AudioStream.MediaService.Denoising.Streaming;

/// <summary>
/// How a stream is cut for the model: chunks of <see cref="ChunkSeconds"/>, each fed <see cref="ContextSeconds"/>
/// of preceding audio so the recurrent layers start warm and <see cref="LookaheadSeconds"/> of following audio so
/// the model's own lookahead (two frames plus the STFT window, 30 ms) is not starved at the chunk's end; neighbours
/// are joined by a linear crossfade over <see cref="OverlapSeconds"/>. Delay: chunk plus lookahead.
/// </summary>
public sealed record ChunkSettings(
    double ChunkSeconds,
    double OverlapSeconds,
    double ContextSeconds,
    double LookaheadSeconds = 0,
    double MaxQueuedSeconds = 5.0)
{
    /// <summary>2.0 s chunks, 0.5 s crossfade, 0.2 s context: whole-file quality, 2 s of delay.</summary>
    public static ChunkSettings Default { get; } = new(2.0, 0.5, 0.2);

    public int ChunkSamples(int sampleRate) => (int)Math.Round(ChunkSeconds * sampleRate);

    public int OverlapSamples(int sampleRate) => (int)Math.Round(OverlapSeconds * sampleRate);

    public int ContextSamples(int sampleRate) => (int)Math.Round(ContextSeconds * sampleRate);

    public int LookaheadSamples(int sampleRate) => (int)Math.Round(LookaheadSeconds * sampleRate);

    /// <summary>Algorithmic delay: a chunk's first sample waits for the rest of the chunk and its lookahead.</summary>
    public int LatencySamples(int sampleRate) => ChunkSamples(sampleRate) + LookaheadSamples(sampleRate);

    /// <summary>Throws when the settings cannot describe a chunking (overlap must be shorter than a chunk).</summary>
    public void Validate(int sampleRate)
    {
        var chunk = ChunkSamples(sampleRate);
        var overlap = OverlapSamples(sampleRate);
        if (chunk < 1 || overlap < 0 || overlap >= chunk || ContextSamples(sampleRate) < 0 || LookaheadSamples(sampleRate) < 0
            || MaxQueuedSeconds <= 0 || ChunkSeconds > 600 || ContextSeconds > 60 || LookaheadSeconds > 10)
        {
            throw new ArgumentException(
                $"Invalid streaming settings: chunk {ChunkSeconds} s, overlap {OverlapSeconds} s, context {ContextSeconds} s, " +
                $"lookahead {LookaheadSeconds} s, queue {MaxQueuedSeconds} s " +
                "(need 0 <= overlap < chunk <= 600 s, 0 <= context <= 60 s, 0 <= lookahead <= 10 s, queue > 0).");
        }
    }
}
