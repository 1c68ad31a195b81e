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

    /// <summary>Elements per frame and shape template (−1 where the frame count goes) of an encoder or decoder output.</summary>
    public static (int PerFrame, int[] Dimensions) OutputLayout(InferenceSession session, string name)
    {
        var dims = session.OutputMetadata[name].Dimensions.ToArray();
        dims[0] = 1;
        var perFrame = 1;
        var dynamic = 0;
        for (var i = 1; i < dims.Length; i++)
        {
            if (dims[i] < 0)
            {
                dynamic++;
            }
            else
            {
                perFrame *= dims[i];
            }
        }

        if (dynamic != 1)
        {
            throw new InvalidDataException($"Output '{name}' should have exactly one dynamic (time) axis, has {dynamic}.");
        }

        return (perFrame, dims);
    }

    /// <summary>
    /// Opens the graphs on CUDA when asked and it can really start them, else on CPU.
    /// Returns the CUDA failure, if any, so the caller can report why it runs on CPU.
    /// </summary>
    public static (DeepFilterNetSessions Sessions, ExecutionProvider Provider, string? CudaFailure) Open(
        string directory, bool preferGpu, int cudaDeviceId, ILogger logger)
    {
        string? cudaFailure = null;
        if (preferGpu)
        {
            try
            {
                using var cuda = SessionOptions.MakeSessionOptionWithCudaProvider(cudaDeviceId);
                Configure(cuda);
                return (Open(directory, cuda), ExecutionProvider.Cuda, null);
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
        return (Open(directory, cpu), ExecutionProvider.Cpu, cudaFailure);
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

    private static DeepFilterNetSessions Open(string directory, SessionOptions options)
    {
        InferenceSession? encoder = null, erbDecoder = null, dfDecoder = null;
        try
        {
            encoder = new InferenceSession(Path.Combine(directory, "enc.onnx"), options);
            erbDecoder = new InferenceSession(Path.Combine(directory, "erb_dec.onnx"), options);
            dfDecoder = new InferenceSession(Path.Combine(directory, "df_dec.onnx"), options);
            return new DeepFilterNetSessions(encoder, erbDecoder, dfDecoder);
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
