using AudioStream.MediaService.Denoising.Onnx;

namespace AudioStream.MediaService.Denoising.Streaming;

/// <summary>Creates streaming denoisers that share the one loaded engine.</summary>
public interface IStreamingDenoiserFactory
{
    DeepFilterNetEngine Engine { get; }

    /// <summary>Settings used when <see cref="Create"/> is given none (configuration's default or low-latency preset).</summary>
    StreamingSettings DefaultSettings { get; }

    StreamingSettings LowLatencySettings { get; }

    StreamingDenoiser Create(StreamingSettings? settings = null);

    StreamingDenoiser CreateLowLatency();
}
