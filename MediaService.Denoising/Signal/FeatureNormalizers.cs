namespace AudioStream.MediaService.Denoising.Signal;

/// <summary>Exponential smoothing factor libDF derives from the hop and τ, rounded to the first precision below 1.</summary>
public static class NormAlpha
{
    public static float Compute(int sampleRate, int hopSize, float tauSeconds)
    {
        var alpha = MathF.Exp(-((float)hopSize / sampleRate) / tauSeconds);
        var precision = 3;
        float rounded;
        do
        {
            var scale = MathF.Pow(10, precision);
            rounded = MathF.Round(alpha * scale, MidpointRounding.AwayFromZero) / scale;
            precision++;
        }
        while (rounded >= 1f && precision < 10);

        return rounded;
    }
}

/// <summary>
/// ERB feature: band power in dB minus its running mean, over 40.
/// State starts at linspace(−60, −90) dB across the bands, as libDF's <c>MEAN_NORM_INIT</c>.
/// </summary>
public sealed class ErbFeatureNormalizer
{
    private readonly float[] _mean;
    private readonly float _alpha;

    public ErbFeatureNormalizer(int bands, float alpha)
    {
        _alpha = alpha;
        _mean = new float[bands];
        Reset();
    }

    public void Reset() => Linspace(-60f, -90f, _mean);

    public void Normalize(ReadOnlySpan<float> bandPowers, Span<float> feature)
    {
        for (var b = 0; b < _mean.Length; b++)
        {
            var db = 10f * MathF.Log10(bandPowers[b] + 1e-10f);
            _mean[b] = db * (1 - _alpha) + _mean[b] * _alpha;
            feature[b] = (db - _mean[b]) / 40f;
        }
    }

    internal static void Linspace(float from, float to, Span<float> values)
    {
        var count = values.Length;
        for (var i = 0; i < count; i++)
        {
            values[i] = count == 1 ? from : from + (to - from) * i / (count - 1);
        }
    }
}

/// <summary>
/// Complex feature of the low bins: the spectrum over the square root of its running mean magnitude.
/// State starts at linspace(0.001, 0.0001) across the bins, as libDF's <c>UNIT_NORM_INIT</c>.
/// </summary>
public sealed class SpecFeatureNormalizer
{
    private readonly float[] _mean;
    private readonly float _alpha;

    public SpecFeatureNormalizer(int bins, float alpha)
    {
        _alpha = alpha;
        _mean = new float[bins];
        Reset();
    }

    public void Reset() => ErbFeatureNormalizer.Linspace(0.001f, 0.0001f, _mean);

    public void Normalize(ReadOnlySpan<float> re, ReadOnlySpan<float> im, Span<float> featureRe, Span<float> featureIm)
    {
        for (var f = 0; f < _mean.Length; f++)
        {
            var magnitude = MathF.Sqrt(re[f] * re[f] + im[f] * im[f]);
            _mean[f] = magnitude * (1 - _alpha) + _mean[f] * _alpha;
            var scale = 1f / MathF.Sqrt(_mean[f]);
            featureRe[f] = re[f] * scale;
            featureIm[f] = im[f] * scale;
        }
    }
}
