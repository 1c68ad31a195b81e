using AudioStream.MediaService.Denoising.Hosting;
using AudioStream.MediaService.Denoising.Onnx;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AudioStream.MediaService.Denoising.Streaming;

/// <summary>
/// Decides once how live streams are denoised — frame by frame when the export could be rewritten and
/// <see cref="DenoiserOptions.Mode"/> asks for it, else in chunks — and owns the frame-by-frame scheduler.
/// </summary>
public sealed class StreamDenoiserFactory : IStreamDenoiserFactory, IDisposable
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly DenoiserOptions _options;
    private readonly Lazy<FrameBatchScheduler>? _scheduler;

    public StreamDenoiserFactory(DeepFilterNetEngine engine, DenoiserOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(options);
        Engine = engine;
        _options = options;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        ChunkSettings = options.ChunkedStreaming;
        ChunkSettings.Validate(engine.SampleRate);
        if (!string.Equals(options.Mode, DenoiserModes.Stateful, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(options.Mode, DenoiserModes.Chunked, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Denoiser:Mode is '{options.Mode}'; use '{DenoiserModes.Stateful}' or '{DenoiserModes.Chunked}'.", nameof(options));
        }

        if (!engine.IsAvailable)
        {
            Mode = DenoiserModes.PassThrough;
            FallbackReason = engine.UnavailableReason;
        }
        else if (string.Equals(options.Mode, DenoiserModes.Chunked, StringComparison.OrdinalIgnoreCase))
        {
            Mode = DenoiserModes.Chunked;
        }
        else if (engine.Stateful is null)
        {
            Mode = DenoiserModes.Chunked;
            FallbackReason = engine.StatefulUnavailableReason;
        }
        else
        {
            Mode = DenoiserModes.Stateful;
            _scheduler = new Lazy<FrameBatchScheduler>(CreateScheduler);
        }

        var rate = engine.SampleRate;
        Latency = Mode switch
        {
            DenoiserModes.Stateful => TimeSpan.FromSeconds((double)StatefulLatencySamples(engine.Config!) / rate),
            DenoiserModes.Chunked => TimeSpan.FromSeconds((double)ChunkSettings.LatencySamples(rate) / rate),
            _ => TimeSpan.Zero,
        };
    }

    public DeepFilterNetEngine Engine { get; }

    public string Mode { get; }

    public string? FallbackReason { get; }

    public TimeSpan Latency { get; }

    public ChunkSettings ChunkSettings { get; }

    /// <summary>The frame-by-frame scheduler (started on first use); null unless <see cref="Mode"/> is stateful.</summary>
    public FrameBatchScheduler? Scheduler => _scheduler?.Value;

    public IStreamDenoiser Create() => Mode == DenoiserModes.Stateful
        ? CreateStateful(_options.MaxQueuedSeconds ?? DenoiserOptions.StatefulMaxQueuedSeconds)
        : new ChunkedStreamDenoiser(Engine, ChunkSettings, _loggerFactory.CreateLogger<ChunkedStreamDenoiser>());

    /// <summary>A frame-by-frame stream; <paramref name="maxQueuedSeconds"/> infinite for files, which arrive faster than real time.</summary>
    public StatefulStreamDenoiser CreateStateful(double maxQueuedSeconds) =>
        Scheduler is { } scheduler
            ? new StatefulStreamDenoiser(scheduler, Engine, maxQueuedSeconds, _loggerFactory.CreateLogger<StatefulStreamDenoiser>())
            : throw new InvalidOperationException($"Frame-by-frame denoising is unavailable: {FallbackReason}");

    public void Dispose()
    {
        if (_scheduler is { IsValueCreated: true })
        {
            _scheduler.Value.Dispose();
        }
    }

    internal static int StatefulLatencySamples(DeepFilterNetConfig config) =>
        (config.ConvLookahead + config.FftSize / config.HopSize) * config.HopSize;

    private FrameBatchScheduler CreateScheduler()
    {
        var gpu = Engine.Provider == ExecutionProvider.Cuda;
        var workers = _options.Workers > 0 ? _options.Workers : gpu ? 2 : Environment.ProcessorCount;
        var maxBatch = _options.MaxBatch > 0 ? _options.MaxBatch : gpu ? 256 : 64;
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(_options.TickMilliseconds, 0, 20));
        var scheduler = new FrameBatchScheduler(Engine, workers, maxBatch, Math.Max(1, _options.MaxFramesPerCall),
            _loggerFactory.CreateLogger<FrameBatchScheduler>(), tick);
        _loggerFactory.CreateLogger<StreamDenoiserFactory>().LogInformation(
            "Frame-by-frame denoising: {Workers} worker thread(s) ticking every {Tick} ms, up to {MaxBatch} streams and {Frames} frames per call on {Provider}",
            workers, tick.TotalMilliseconds, maxBatch, scheduler.MaxFramesPerCall, DenoiserMetrics.ProviderName(Engine.Provider));
        return scheduler;
    }
}
