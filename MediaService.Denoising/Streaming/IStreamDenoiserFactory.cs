using AudioStream.MediaService.Denoising.Onnx;

namespace AudioStream.MediaService.Denoising.Streaming;

/// <summary>Creates the live streams' denoisers, all sharing the one loaded engine.</summary>
public interface IStreamDenoiserFactory
{
    DeepFilterNetEngine Engine { get; }

    /// <summary>How <see cref="Create"/> denoises (<see cref="DenoiserModes"/>): the configured mode, or what it fell back to.</summary>
    string Mode { get; }

    /// <summary>Why <see cref="Mode"/> is not the configured one; null when it is.</summary>
    string? FallbackReason { get; }

    /// <summary>The longest an input sample waits in a stream <see cref="Create"/> makes (processing time aside).</summary>
    TimeSpan Latency { get; }

    IStreamDenoiser Create();
}
