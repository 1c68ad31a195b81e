using AudioStream.MediaService.Denoising.Hosting;
using AudioStream.MediaService.Denoising.Onnx;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AudioStream.MediaService.Denoising.Streaming;

public sealed class StreamingDenoiserFactory : IStreamingDenoiserFactory
{
    private readonly ILoggerFactory _loggerFactory;

    public StreamingDenoiserFactory(DeepFilterNetEngine engine, DenoiserOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(options);
        Engine = engine;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        LowLatencySettings = options.LowLatencyStreaming;
        DefaultSettings = options.LowLatency ? LowLatencySettings : options.DefaultStreaming;
        DefaultSettings.Validate(engine.SampleRate);
        LowLatencySettings.Validate(engine.SampleRate);
    }

    public DeepFilterNetEngine Engine { get; }

    public StreamingSettings DefaultSettings { get; }

    public StreamingSettings LowLatencySettings { get; }

    public StreamingDenoiser Create(StreamingSettings? settings = null) =>
        new(Engine, settings ?? DefaultSettings, _loggerFactory.CreateLogger<StreamingDenoiser>());

    public StreamingDenoiser CreateLowLatency() => Create(LowLatencySettings);
}
