using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace AudioStream.MediaService.Denoising.Onnx;

/// <summary>The three graphs of one export, all on one execution provider.</summary>
internal sealed class DeepFilterNetSessions : IDisposable
{
    internal static readonly string[] EncoderInputs = ["feat_erb", "feat_spec"];
    internal static readonly string[] EncoderOutputs = ["e0", "e1", "e2", "e3", "emb", "c0"];
    internal static readonly string[] ErbDecoderInputs = ["emb", "e3", "e2", "e1", "e0"];
    internal static readonly string[] ErbDecoderOutputs = ["m"];
    internal static readonly string[] DfDecoderInputs = ["emb", "c0"];
    internal static readonly string[] DfDecoderOutputs = ["coefs"];

    private DeepFilterNetSessions(InferenceSession encoder, InferenceSession erbDecoder, InferenceSession dfDecoder)
    {
        Encoder = encoder;
        ErbDecoder = erbDecoder;
        DfDecoder = dfDecoder;
        Check(encoder, "enc.onnx", EncoderInputs, EncoderOutputs);
        Check(erbDecoder, "erb_dec.onnx", ErbDecoderInputs, ErbDecoderOutputs);
        Check(dfDecoder, "df_dec.onnx", DfDecoderInputs, DfDecoderOutputs);
    }

    public InferenceSession Encoder { get; }

    public InferenceSession ErbDecoder { get; }

    public InferenceSession DfDecoder { get; }

    /// <summary>Elements per frame and shape template (−1 on the time axis) of each graph output, by output name.</summary>
    public IReadOnlyDictionary<string, (int PerFrame, int[] Dimensions)> Layouts { get; private set; } =
        new Dictionary<string, (int, int[])>();

    /// <summary>
    /// Learns the output layouts by running the graphs on 3 and on 5 silent frames: exports leave some axes
    /// symbolic, so the metadata alone cannot say which axis is time.
    /// </summary>
    private void ProbeLayouts(int erbBands, int dfBins)
    {
        var three = ProbeShapes(3, erbBands, dfBins);
        var five = ProbeShapes(5, erbBands, dfBins);
        var layouts = new Dictionary<string, (int, int[])>();
        foreach (var (name, shape) in three)
        {
            var other = five[name];
            var dims = new int[shape.Length];
            var perFrame = 1;
            var timeAxes = 0;
            for (var i = 0; i < shape.Length; i++)
            {
                if (shape[i] == 3 && other[i] == 5)
                {
                    dims[i] = -1;
                    timeAxes++;
                }
                else if (shape[i] == other[i])
                {
                    dims[i] = (int)shape[i];
                    perFrame *= dims[i];
                }
                else
                {
                    timeAxes = int.MaxValue;
                }
            }

            if (timeAxes != 1)
            {
                throw new InvalidDataException($"Output '{name}' does not have one time axis: [{string.Join(",", shape)}] for 3 frames.");
            }

            layouts[name] = (perFrame, dims);
        }

        Layouts = layouts;
    }

    private Dictionary<string, long[]> ProbeShapes(int frames, int erbBands, int dfBins)
    {
        var shapes = new Dictionary<string, long[]>();
        using var runOptions = new RunOptions();
        using var featErb = OrtValue.CreateTensorValueFromMemory(new float[frames * erbBands], [1, 1, frames, erbBands]);
        using var featSpec = OrtValue.CreateTensorValueFromMemory(new float[frames * 2 * dfBins], [1, 2, frames, dfBins]);
        using var encoded = Encoder.Run(runOptions, EncoderInputs, [featErb, featSpec], EncoderOutputs);
        var byName = new Dictionary<string, OrtValue>();
        for (var i = 0; i < EncoderOutputs.Length; i++)
        {
            byName[EncoderOutputs[i]] = encoded[i];
            shapes[EncoderOutputs[i]] = encoded[i].GetTensorTypeAndShape().Shape;
        }

        using var mask = ErbDecoder.Run(runOptions, ErbDecoderInputs, [.. ErbDecoderInputs.Select(n => byName[n])], ErbDecoderOutputs);
        shapes[ErbDecoderOutputs[0]] = mask[0].GetTensorTypeAndShape().Shape;
        using var coefs = DfDecoder.Run(runOptions, DfDecoderInputs, [.. DfDecoderInputs.Select(n => byName[n])], DfDecoderOutputs);
        shapes[DfDecoderOutputs[0]] = coefs[0].GetTensorTypeAndShape().Shape;
        return shapes;
    }

    /// <summary>
    /// Opens the graphs on CUDA when asked and it can really start them, else on CPU.
    /// Returns the CUDA failure, if any, so the caller can report why it runs on CPU.
    /// </summary>
    public static (DeepFilterNetSessions Sessions, ExecutionProvider Provider, string? CudaFailure) Open(
        string directory, DeepFilterNetConfig config, bool preferGpu, int cudaDeviceId, ILogger logger)
    {
        string? cudaFailure = null;
        if (preferGpu)
        {
            try
            {
                using var cuda = SessionOptions.MakeSessionOptionWithCudaProvider(cudaDeviceId);
                Configure(cuda);
                return (Open(directory, cuda, config), ExecutionProvider.Cuda, null);
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException
                or BadImageFormatException or TypeInitializationException or InvalidOperationException)
            {
                cudaFailure = ex.Message;
                logger.LogInformation("CUDA execution provider unavailable (device {DeviceId}): {Reason}", cudaDeviceId, ex.Message);
            }
        }

        using var cpu = new SessionOptions();
        Configure(cpu);
        return (Open(directory, cpu, config), ExecutionProvider.Cpu, cudaFailure);
    }

    /// <summary>Session options like those the graphs were opened with, for more sessions on the same provider.</summary>
    public static SessionOptions CreateOptions(ExecutionProvider provider, int cudaDeviceId)
    {
        var options = provider == ExecutionProvider.Cuda ? SessionOptions.MakeSessionOptionWithCudaProvider(cudaDeviceId) : new SessionOptions();
        Configure(options);
        return options;
    }

    public void Dispose()
    {
        Encoder.Dispose();
        ErbDecoder.Dispose();
        DfDecoder.Dispose();
    }

    private static void Configure(SessionOptions options)
    {
        // One intra-op thread: measured faster than two on small frames; parallelism comes from streams.
        options.IntraOpNumThreads = 1;
        options.InterOpNumThreads = 1;
        options.ExecutionMode = ExecutionMode.ORT_SEQUENTIAL;
        options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL;
    }

    private static DeepFilterNetSessions Open(string directory, SessionOptions options, DeepFilterNetConfig config)
    {
        InferenceSession? encoder = null, erbDecoder = null, dfDecoder = null;
        try
        {
            encoder = new InferenceSession(Path.Combine(directory, "enc.onnx"), options);
            erbDecoder = new InferenceSession(Path.Combine(directory, "erb_dec.onnx"), options);
            dfDecoder = new InferenceSession(Path.Combine(directory, "df_dec.onnx"), options);
            var sessions = new DeepFilterNetSessions(encoder, erbDecoder, dfDecoder);
            // Probing also runs the graphs once, so a provider that loads but cannot execute fails here.
            sessions.ProbeLayouts(config.ErbBands, config.DfBins);
            return sessions;
        }
        catch
        {
            encoder?.Dispose();
            erbDecoder?.Dispose();
            dfDecoder?.Dispose();
            throw;
        }
    }

    private static void Check(InferenceSession session, string file, string[] inputs, string[] outputs)
    {
        foreach (var name in inputs)
        {
            if (!session.InputMetadata.ContainsKey(name))
            {
                throw new InvalidDataException($"{file} has no input '{name}' (has {string.Join(", ", session.InputMetadata.Keys)}).");
            }
        }

        foreach (var name in outputs)
        {
            if (!session.OutputMetadata.ContainsKey(name))
            {
                throw new InvalidDataException($"{file} has no output '{name}' (has {string.Join(", ", session.OutputMetadata.Keys)}).");
            }
        }
    }
}
