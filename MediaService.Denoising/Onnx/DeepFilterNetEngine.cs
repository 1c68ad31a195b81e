using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using AudioStream.MediaService.Denoising.Hosting;
using AudioStream.MediaService.Denoising.Onnx.Stateful;
using AudioStream.MediaService.Denoising.Signal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AudioStream.MediaService.Denoising.Onnx;

/// <summary>
/// One loaded DeepFilterNet export, shared by every stream. <see cref="Denoise(ReadOnlySpan{float}, Span{float})"/>
/// is thread-safe: concurrent calls each take a pooled workspace; the ONNX sessions are shared.
/// Without model files the engine still constructs, reports why, and passes audio through unchanged.
/// </summary>
public sealed class DeepFilterNetEngine : IDisposable
{
    /// <summary>Workspaces sized beyond this many frames (30 s) are dropped after use instead of pooled.</summary>
    private const int MaxPooledFrames = 3000;

    /// <summary>Finite inputs beyond this magnitude are clamped: nominal float audio lies within ±1.</summary>
    private const float MaxInputMagnitude = 1000f;

    private readonly DeepFilterNetSessions? _sessions;
    private readonly ErbBands? _bands;
    private readonly ConcurrentBag<InferenceWorkspace> _workspaces = [];
    private readonly bool _parallelDecoders;
    private readonly ILogger _logger;
    private bool _disposed;

    private DeepFilterNetEngine(
        DeepFilterNetSessions? sessions, DeepFilterNetConfig? config, ExecutionProvider provider, int? deviceId,
        string? modelDirectory, string? unavailableReason, DenoiserOptions options, ILogger logger, IMeterFactory? meterFactory)
    {
        _sessions = sessions;
        _logger = logger;
        _parallelDecoders = options.ParallelDecoders;
        Config = config;
        Provider = provider;
        DeviceId = deviceId;
        ModelDirectory = modelDirectory;
        UnavailableReason = unavailableReason;
        if (config is not null)
        {
            _bands = new ErbBands(config.SampleRate, config.FftSize, config.ErbBands, config.MinErbBins);
        }

        var concurrency = options.MaxConcurrentInferences > 0 ? options.MaxConcurrentInferences : Environment.ProcessorCount;
        MaxConcurrentInferences = concurrency;
        InferenceGate = new SemaphoreSlim(concurrency, concurrency);
        Metrics = new DenoiserMetrics(meterFactory, this);
    }

    /// <summary>Sample rate streams must deliver (48 kHz for the DeepFilterNet exports).</summary>
    public int SampleRate => Config?.SampleRate ?? 48_000;

    public bool IsAvailable => _sessions is not null;

    /// <summary>The original graphs (whole-sequence calls); null without a model.</summary>
    internal DeepFilterNetSessions? Sessions => _sessions;

    /// <summary>Why denoising is unavailable; null when it is.</summary>
    public string? UnavailableReason { get; }

    public ExecutionProvider Provider { get; }

    /// <summary>CUDA device in use; null on CPU.</summary>
    public int? DeviceId { get; }

    /// <summary>Export folder loaded, or the one that was asked for.</summary>
    public string? ModelDirectory { get; }

    /// <summary>
    /// The export rewritten to carry its state between calls, verified at load; null when the export could not be
    /// rewritten (see <see cref="StatefulUnavailableReason"/>) or no model is loaded.
    /// </summary>
    internal StatefulModel? Stateful { get; private init; }

    /// <summary>Why frame-by-frame streaming is unavailable with a loaded model; null when it is available.</summary>
    public string? StatefulUnavailableReason { get; private init; }

    /// <summary>Why CUDA was not used although preferred; null otherwise.</summary>
    public string? CudaFailure { get; private init; }

    public DeepFilterNetConfig? Config { get; }

    public TimeSpan LoadTime { get; private init; }

    public int MaxConcurrentInferences { get; }

    public DenoiserMetrics Metrics { get; }

    /// <summary>Limits concurrent inferences across streams to <see cref="MaxConcurrentInferences"/>.</summary>
    internal SemaphoreSlim InferenceGate { get; }

    /// <summary>Finds the export per <paramref name="options"/>, opens it on the best provider and warms it up.</summary>
    public static DeepFilterNetEngine Load(DenoiserOptions options, ILogger? logger = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        logger ??= NullLogger.Instance;
        var location = ModelLocator.Locate(options.ModelName, options.ModelPath);
        if (!location.Found)
        {
            var asked = location.Searched.Count == 1 ? location.Searched[0] : null;
            var reason = asked is not null
                ? $"Denoising unavailable: model folder {asked} lacks {string.Join(", ", ModelLocator.MissingFiles(asked))}; audio passes through unchanged."
                : $"Denoising unavailable: model '{options.ModelName}' not found (looked in {string.Join(", ", location.Searched)}); audio passes through unchanged.";
            logger.LogWarning("{Reason}", reason);
            return new DeepFilterNetEngine(null, null, ExecutionProvider.None, null, asked, reason, options, logger, meterFactory);
        }

        var directory = location.Directory!;
        var started = Stopwatch.GetTimestamp();
        try
        {
            var config = DeepFilterNetConfig.Load(Path.Combine(directory, DeepFilterNetConfig.FileName));
            var (sessions, provider, cudaFailure) = DeepFilterNetSessions.Open(directory, config, options.PreferGpu, options.CudaDeviceId, logger);
            var (stateful, statefulFailure) = OpenStateful(directory, config, sessions, provider, options.CudaDeviceId, logger);
            var engine = new DeepFilterNetEngine(
                sessions, config, provider, provider == ExecutionProvider.Cuda ? options.CudaDeviceId : null,
                directory, null, options, logger, meterFactory)
            {
                CudaFailure = cudaFailure,
                Stateful = stateful,
                StatefulUnavailableReason = statefulFailure,
                LoadTime = Stopwatch.GetElapsedTime(started),
            };
            engine.WarmUp();
            logger.LogInformation(
                "DeepFilterNet loaded from {ModelDirectory} on {Provider}{Device} in {LoadMs:F0} ms",
                directory, provider, provider == ExecutionProvider.Cuda ? $" (device {options.CudaDeviceId})" : "",
                engine.LoadTime.TotalMilliseconds);
            return engine;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException
            or Microsoft.ML.OnnxRuntime.OnnxRuntimeException or ArgumentException)
        {
            var reason = $"Denoising unavailable: loading {directory} failed: {ex.Message}; audio passes through unchanged.";
            logger.LogError(ex, "{Reason}", reason);
            return new DeepFilterNetEngine(null, null, ExecutionProvider.None, null, directory, reason, options, logger, meterFactory);
        }
    }

    private static (StatefulModel? Model, string? Failure) OpenStateful(
        string directory, DeepFilterNetConfig config, DeepFilterNetSessions sessions, ExecutionProvider provider, int cudaDeviceId, ILogger logger)
    {
        if (config.ConvLookahead != config.DfLookahead)
        {
            return (null, $"conv_lookahead {config.ConvLookahead} differs from df_lookahead {config.DfLookahead}; the frame-by-frame path needs them equal");
        }

        StatefulModel? model = null;
        try
        {
            using var sessionOptions = DeepFilterNetSessions.CreateOptions(provider, cudaDeviceId);
            model = StatefulModel.Open(directory, config, sessions, sessionOptions);
            StatefulModelCheck.Verify(model, sessions, config);
            if (model.UnknownNames.Count > 0)
            {
                logger.LogInformation(
                    "The export in {Directory} is not the DeepFilterNet3 export the rewrite knows (no {Nodes}); rewritten by structure and verified",
                    directory, string.Join(", ", model.UnknownNames));
            }

            logger.LogInformation("Frame-by-frame denoising ready: {State}", model.Describe());
            return (model, null);
        }
        catch (Exception ex) when (ex is InvalidDataException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException or IOException)
        {
            model?.Dispose();
            logger.LogWarning("Frame-by-frame denoising unavailable, live streams use chunks: {Reason}", ex.Message);
            return (null, ex.Message);
        }
    }

    /// <summary>An engine that only passes audio through, saying <paramref name="reason"/>.</summary>
    public static DeepFilterNetEngine CreateUnavailable(string reason, DenoiserOptions? options = null, ILogger? logger = null) =>
        new(null, null, ExecutionProvider.None, null, null, reason, options ?? new DenoiserOptions(), logger ?? NullLogger.Instance, null);

    /// <summary>Denoises a whole buffer; output has the input's length exactly and no delay.</summary>
    public float[] Denoise(ReadOnlySpan<float> input)
    {
        var output = new float[input.Length];
        Denoise(input, output);
        return output;
    }

    /// <summary>
    /// Denoises <paramref name="input"/> into <paramref name="output"/> (same length), treating the buffer as a
    /// whole signal: STFT state and normalisations start fresh. Non-finite samples are taken as silence.
    /// Thread-safe. Passes audio through when no model is loaded.
    /// </summary>
    public void Denoise(ReadOnlySpan<float> input, Span<float> output)
    {
        if (output.Length != input.Length)
        {
            throw new ArgumentException($"Output holds {output.Length} samples, input {input.Length}.", nameof(output));
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_sessions is null || input.Length == 0)
        {
            input.CopyTo(output);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        if (!_workspaces.TryTake(out var workspace))
        {
            workspace = new InferenceWorkspace(_sessions, Config!);
        }

        try
        {
            Run(workspace, input, output);
        }
        finally
        {
            if (workspace.CapacityFrames <= MaxPooledFrames && !_disposed)
            {
                _workspaces.Add(workspace);
            }
            else
            {
                workspace.Dispose();
            }
        }

        Metrics.RecordRealTimeFactor(Stopwatch.GetElapsedTime(started).TotalSeconds * SampleRate / input.Length);
    }

    /// <summary>The model inputs the whole-file path computes for <paramref name="input"/>: feat_erb [frames, erb] and feat_spec [2, frames, df].</summary>
    internal ModelInputs ModelInputs(ReadOnlySpan<float> input)
    {
        var config = Config ?? throw new InvalidOperationException(UnavailableReason);
        using var ws = new InferenceWorkspace(_sessions!, config);
        var bins = ws.Stft.Bins;
        var frames = ws.Stft.FramesFor(input.Length);
        var analysisFrames = frames + Math.Max(config.ConvLookahead, config.DfLookahead);
        ws.Prepare(input.Length, analysisFrames, frames);
        var signal = ws.Signal.AsSpan(0, input.Length);
        input.CopyTo(signal);
        Sanitize(signal);
        ws.Stft.Analyze(signal, analysisFrames, ws.SpecRe, ws.SpecIm);
        ComputeFeatures(ws, config, frames, lead: 0);
        return new ModelInputs(ws.FeatErb[..(frames * config.ErbBands)], ws.FeatSpec[..(2 * frames * config.DfBins)], frames);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        while (_workspaces.TryTake(out var workspace))
        {
            workspace.Dispose();
        }

        _sessions?.Dispose();
        Stateful?.Dispose();
        InferenceGate.Dispose();
        Metrics.Dispose();
    }

    private void WarmUp()
    {
        // The first inference is several times slower than later ones; pay it at start-up, not on a live stream.
        var noise = new float[SampleRate];
        var random = new Random(1);
        for (var i = 0; i < noise.Length; i++)
        {
            noise[i] = (float)(random.NextDouble() - 0.5) * 0.01f;
        }

        Denoise(noise, noise);
    }

    private void Run(InferenceWorkspace ws, ReadOnlySpan<float> input, Span<float> output)
    {
        var config = Config!;
        var stft = ws.Stft;
        var bins = stft.Bins;
        var samples = input.Length;
        var frames = stft.FramesFor(samples);
        var analysisFrames = frames + Math.Max(config.ConvLookahead, config.DfLookahead);
        // Zero frames before the signal, so the deep filter's window of every frame lies inside the spectrum arrays.
        var lead = DeepFilter.CurrentFrameIndex(config.DfOrder, config.DfLookahead);
        ws.Prepare(samples, lead + analysisFrames, frames);

        var signal = ws.Signal.AsSpan(0, samples);
        input.CopyTo(signal);
        Sanitize(signal);

        ws.SpecRe.AsSpan(0, lead * bins).Clear();
        ws.SpecIm.AsSpan(0, lead * bins).Clear();
        stft.Analyze(signal, analysisFrames, ws.SpecRe.AsSpan(lead * bins), ws.SpecIm.AsSpan(lead * bins));
        ComputeFeatures(ws, config, frames, lead);

        var sessions = _sessions!;
        sessions.Encoder.Run(ws.RunOptions, DeepFilterNetSessions.EncoderInputs, ws.EncoderInputValues,
            DeepFilterNetSessions.EncoderOutputs, ws.EncoderOutputValues);
        if (_parallelDecoders)
        {
            var dfTask = Task.Run(() => sessions.DfDecoder.Run(ws.RunOptions, DeepFilterNetSessions.DfDecoderInputs,
                ws.DfDecoderInputValues, DeepFilterNetSessions.DfDecoderOutputs, ws.CoefsValues));
            sessions.ErbDecoder.Run(ws.RunOptions, DeepFilterNetSessions.ErbDecoderInputs, ws.ErbDecoderInputValues,
                DeepFilterNetSessions.ErbDecoderOutputs, ws.MaskValues);
            dfTask.GetAwaiter().GetResult();
        }
        else
        {
            sessions.ErbDecoder.Run(ws.RunOptions, DeepFilterNetSessions.ErbDecoderInputs, ws.ErbDecoderInputValues,
                DeepFilterNetSessions.ErbDecoderOutputs, ws.MaskValues);
            sessions.DfDecoder.Run(ws.RunOptions, DeepFilterNetSessions.DfDecoderInputs, ws.DfDecoderInputValues,
                DeepFilterNetSessions.DfDecoderOutputs, ws.CoefsValues);
        }

        var order = config.DfOrder;
        var coefsPerFrame = config.DfBins * order * 2;
        for (var t = 0; t < frames; t++)
        {
            DeepFilter.EnhanceFrame(
                _bands!, ws.SpecRe.AsSpan(t * bins, order * bins), ws.SpecIm.AsSpan(t * bins, order * bins), bins,
                ws.Mask.AsSpan(t * config.ErbBands, config.ErbBands), ws.Coefs.AsSpan(t * coefsPerFrame, coefsPerFrame),
                config.DfBins, order, config.DfLookahead, ws.OutRe.AsSpan(t * bins, bins), ws.OutIm.AsSpan(t * bins, bins));
        }

        stft.Synthesize(ws.OutRe, ws.OutIm, frames, output);
        for (var i = 0; i < output.Length; i++)
        {
            if (!float.IsFinite(output[i]))
            {
                output[i] = 0f;
            }
        }
    }

    /// <summary>Non-finite samples become silence; finite ones beyond ±<see cref="MaxInputMagnitude"/> are clamped.</summary>
    internal static void Sanitize(Span<float> samples)
    {
        for (var i = 0; i < samples.Length; i++)
        {
            var x = samples[i];
            samples[i] = float.IsFinite(x) ? Math.Clamp(x, -MaxInputMagnitude, MaxInputMagnitude) : 0f;
        }
    }

    private static void ComputeFeatures(InferenceWorkspace ws, DeepFilterNetConfig config, int frames, int lead)
    {
        // The encoder sees features conv_lookahead frames early: model frame t gets raw frame t + lookahead.
        // The normalisers still run over the skipped leading frames so their state matches the official chain.
        var bins = ws.Stft.Bins;
        var lookahead = config.ConvLookahead;
        var erb = config.ErbBands;
        var df = config.DfBins;
        ws.Norms.Reset();
        Span<float> scratchErb = erb <= 256 ? stackalloc float[erb] : new float[erb];
        Span<float> scratchRe = df <= 1024 ? stackalloc float[df] : new float[df];
        Span<float> scratchIm = df <= 1024 ? stackalloc float[df] : new float[df];
        for (var raw = 0; raw < frames + lookahead; raw++)
        {
            var re = ws.SpecRe.AsSpan((lead + raw) * bins, bins);
            var im = ws.SpecIm.AsSpan((lead + raw) * bins, bins);
            var t = raw - lookahead;
            if (t < 0)
            {
                ws.Features.Extract(re, im, ws.Norms, scratchErb, scratchRe, scratchIm);
            }
            else
            {
                ws.Features.Extract(re, im, ws.Norms, ws.FeatErb.AsSpan(t * erb, erb),
                    ws.FeatSpec.AsSpan(t * df, df), ws.FeatSpec.AsSpan((frames + t) * df, df));
            }
        }
    }
}
