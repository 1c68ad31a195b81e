using System.Threading.Channels;

namespace AudioStream.MediaService.Denoising.Streaming;

/// <summary>
/// Denoises one live 48 kHz mono stream. <see cref="Write"/> never blocks; cleaned audio comes out on
/// <see cref="Output"/> in order, each block carrying its sample offset. <see cref="Complete"/> flushes the tail, after
/// which the output has exactly as many samples as were accepted. Write from one thread at a time.
/// </summary>
public interface IStreamDenoiser : IAsyncDisposable
{
    /// <summary><see cref="DenoiserModes.Stateful"/>, <see cref="DenoiserModes.Chunked"/> or <see cref="DenoiserModes.PassThrough"/>.</summary>
    string Mode { get; }

    /// <summary>False when audio passes through unchanged (no model).</summary>
    bool IsDenoising { get; }

    /// <summary>Why the stream passes audio through; null while it denoises.</summary>
    string? PassThroughReason { get; }

    int SampleRate { get; }

    /// <summary>The longest an input sample waits for its output, in samples, processing time aside.</summary>
    int LatencySamples { get; }

    TimeSpan Latency => TimeSpan.FromSeconds((double)LatencySamples / SampleRate);

    ChannelReader<DenoisedBlock> Output { get; }

    /// <summary>Finishes once the output is complete.</summary>
    Task Completion { get; }

    long SamplesWritten { get; }

    long SamplesEmitted { get; }

    /// <summary>Input the denoiser could not clean in time (dropped or passed through as it came, per mode).</summary>
    long SamplesNotDenoised { get; }

    /// <summary>Queues samples without blocking. False when they were not accepted (stream complete, or dropped).</summary>
    bool Write(ReadOnlySpan<float> samples);

    /// <summary>Marks the end of the stream: what remains is processed and <see cref="Output"/> completes.</summary>
    void Complete();

    /// <summary>Stops without flushing: pending input is discarded.</summary>
    Task AbortAsync();
}
