using AudioStream.MediaService.Denoising.Signal;
using Microsoft.ML.OnnxRuntime;

namespace AudioStream.MediaService.Denoising.Onnx;

/// <summary>
/// Everything one inference needs, reused across calls: STFT scratch, spectra, features, graph outputs and the
/// ORT tensors bound to them (rebuilt only when the frame count changes, which in streaming is rare).
/// </summary>
internal sealed class InferenceWorkspace : IDisposable
{
    private readonly DeepFilterNetConfig _config;
    private readonly (int PerFrame, int[] Dimensions)[] _encoderLayouts;
    private readonly (int PerFrame, int[] Dimensions) _maskLayout;
    private readonly (int PerFrame, int[] Dimensions) _coefsLayout;
    private OrtValue[] _bound = [];

    public InferenceWorkspace(DeepFilterNetSessions sessions, DeepFilterNetConfig config)
    {
        _config = config;
        Stft = new Stft(config.FftSize, config.HopSize);
        Norms = new FeatureNorms(config.ErbBands, config.DfBins, NormAlpha.Compute(config.SampleRate, config.HopSize, config.NormTau));
        Features = new FeatureExtractor(new ErbBands(config.SampleRate, config.FftSize, config.ErbBands, config.MinErbBins));
        _encoderLayouts = [.. DeepFilterNetSessions.EncoderOutputs.Select(n => sessions.Layouts[n])];
        _maskLayout = sessions.Layouts[DeepFilterNetSessions.ErbDecoderOutputs[0]];
        _coefsLayout = sessions.Layouts[DeepFilterNetSessions.DfDecoderOutputs[0]];
        EncoderOutputs = new float[_encoderLayouts.Length][];
        Array.Fill(EncoderOutputs, []);
        if (_maskLayout.PerFrame != config.ErbBands || _coefsLayout.PerFrame != config.DfBins * config.DfOrder * 2)
        {
            throw new InvalidDataException(
                $"Graph outputs do not match config.ini: m has {_maskLayout.PerFrame} values per frame (nb_erb {config.ErbBands}), " +
                $"coefs {_coefsLayout.PerFrame} (nb_df·df_order·2 = {config.DfBins * config.DfOrder * 2}).");
        }
    }

    public Stft Stft { get; }

    public FeatureNorms Norms { get; }

    public FeatureExtractor Features { get; }

    public float[] Signal { get; private set; } = [];

    public float[] SpecRe { get; private set; } = [];

    public float[] SpecIm { get; private set; } = [];

    public float[] OutRe { get; private set; } = [];

    public float[] OutIm { get; private set; } = [];

    public float[] FeatErb { get; private set; } = [];

    public float[] FeatSpec { get; private set; } = [];

    public float[][] EncoderOutputs { get; }

    public float[] Mask { get; private set; } = [];

    public float[] Coefs { get; private set; } = [];

    /// <summary>Model frames the buffers hold without growing.</summary>
    public int CapacityFrames { get; private set; }

    public int BoundFrames { get; private set; }

    public RunOptions RunOptions { get; } = new();

    public OrtValue[] EncoderInputValues { get; private set; } = [];

    public OrtValue[] EncoderOutputValues { get; private set; } = [];

    public OrtValue[] ErbDecoderInputValues { get; private set; } = [];

    public OrtValue[] DfDecoderInputValues { get; private set; } = [];

    public OrtValue[] MaskValues { get; private set; } = [];

    public OrtValue[] CoefsValues { get; private set; } = [];

    /// <summary>Makes room for <paramref name="samples"/> of input, <paramref name="spectrumFrames"/> STFT frames and <paramref name="modelFrames"/>.</summary>
    public void Prepare(int samples, int spectrumFrames, int modelFrames)
    {
        var bins = Stft.Bins;
        if (Signal.Length < samples)
        {
            Signal = new float[samples];
        }

        if (SpecRe.Length < spectrumFrames * bins)
        {
            SpecRe = new float[spectrumFrames * bins];
            SpecIm = new float[spectrumFrames * bins];
        }

        if (modelFrames > CapacityFrames)
        {
            // Grow by a quarter so a stream whose chunks vary slightly does not reallocate every time.
            var capacity = Math.Max(modelFrames, CapacityFrames + CapacityFrames / 4);
            OutRe = new float[capacity * bins];
            OutIm = new float[capacity * bins];
            FeatErb = new float[capacity * _config.ErbBands];
            FeatSpec = new float[capacity * 2 * _config.DfBins];
            for (var i = 0; i < EncoderOutputs.Length; i++)
            {
                EncoderOutputs[i] = new float[capacity * _encoderLayouts[i].PerFrame];
            }

            Mask = new float[capacity * _maskLayout.PerFrame];
            Coefs = new float[capacity * _coefsLayout.PerFrame];
            CapacityFrames = capacity;
            Unbind();
        }

        if (BoundFrames != modelFrames)
        {
            Bind(modelFrames);
        }
    }

    public void Dispose()
    {
        Unbind();
        RunOptions.Dispose();
    }

    private void Bind(int frames)
    {
        Unbind();
        var memory = OrtMemoryInfo.DefaultInstance;
        OrtValue Tensor(float[] buffer, int perFrame, long[] shape) =>
            OrtValue.CreateTensorValueFromMemory(memory, buffer.AsMemory(0, perFrame * frames), shape);

        var featErb = Tensor(FeatErb, _config.ErbBands, [1, 1, frames, _config.ErbBands]);
        var featSpec = Tensor(FeatSpec, 2 * _config.DfBins, [1, 2, frames, _config.DfBins]);
        var encoderOutputs = new OrtValue[EncoderOutputs.Length];
        for (var i = 0; i < encoderOutputs.Length; i++)
        {
            var (perFrame, dims) = _encoderLayouts[i];
            encoderOutputs[i] = Tensor(EncoderOutputs[i], perFrame, Shape(dims, frames));
        }

        var mask = Tensor(Mask, _maskLayout.PerFrame, Shape(_maskLayout.Dimensions, frames));
        var coefs = Tensor(Coefs, _coefsLayout.PerFrame, Shape(_coefsLayout.Dimensions, frames));

        OrtValue Encoded(string name) => encoderOutputs[Array.IndexOf(DeepFilterNetSessions.EncoderOutputs, name)];

        EncoderInputValues = [featErb, featSpec];
        EncoderOutputValues = encoderOutputs;
        ErbDecoderInputValues = [.. DeepFilterNetSessions.ErbDecoderInputs.Select(Encoded)];
        DfDecoderInputValues = [.. DeepFilterNetSessions.DfDecoderInputs.Select(Encoded)];
        MaskValues = [mask];
        CoefsValues = [coefs];
        _bound = [featErb, featSpec, .. encoderOutputs, mask, coefs];
        BoundFrames = frames;
    }

    private void Unbind()
    {
        foreach (var value in _bound)
        {
            value.Dispose();
        }

        _bound = [];
        BoundFrames = 0;
    }

    private static long[] Shape(int[] dims, int frames) => [.. dims.Select(d => d < 0 ? (long)frames : d)];
}
