namespace AudioStream.MediaService.Denoising.Signal;

/// <summary>
/// DeepFilterNet's equivalent-rectangular-bandwidth grouping of STFT bins (libDF <c>erb_fb</c>): band edges equally
/// spaced on the ERB scale, each band at least <c>minBins</c> wide, the surplus taken from the top band.
/// </summary>
public sealed class ErbBands
{
    private readonly int[] _widths;
    private readonly int[] _starts;

    public ErbBands(int sampleRate, int fftSize, int bandCount, int minBins)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bandCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(minBins, 1);
        _widths = ComputeWidths(sampleRate, fftSize, bandCount, minBins);
        _starts = new int[bandCount];
        for (var b = 1; b < bandCount; b++)
        {
            _starts[b] = _starts[b - 1] + _widths[b - 1];
        }

        Bins = fftSize / 2 + 1;
    }

    public int Count => _widths.Length;

    public int Bins { get; }

    public ReadOnlySpan<int> Widths => _widths;

    /// <summary>Mean power per band of one frame.</summary>
    public void BandPowers(ReadOnlySpan<float> re, ReadOnlySpan<float> im, Span<float> powers)
    {
        for (var b = 0; b < _widths.Length; b++)
        {
            var sum = 0f;
            var end = _starts[b] + _widths[b];
            for (var f = _starts[b]; f < end; f++)
            {
                sum += re[f] * re[f] + im[f] * im[f];
            }

            powers[b] = sum / _widths[b];
        }
    }

    /// <summary>Multiplies every bin of one frame by its band's gain (piecewise constant over each band).</summary>
    public void ApplyGains(ReadOnlySpan<float> gains, Span<float> re, Span<float> im)
    {
        for (var b = 0; b < _widths.Length; b++)
        {
            var g = gains[b];
            var end = _starts[b] + _widths[b];
            for (var f = _starts[b]; f < end; f++)
            {
                re[f] *= g;
                im[f] *= g;
            }
        }
    }

    private static int[] ComputeWidths(int sampleRate, int fftSize, int bandCount, int minBins)
    {
        var bins = fftSize / 2 + 1;
        var binWidth = (float)sampleRate / fftSize;
        var erbLow = FrequencyToErb(0f);
        var erbHigh = FrequencyToErb(sampleRate / 2);
        var step = (erbHigh - erbLow) / bandCount;
        var widths = new int[bandCount];
        var previousEdge = 0;
        var overflow = 0;
        for (var i = 1; i <= bandCount; i++)
        {
            var frequency = ErbToFrequency(erbLow + i * step);
            // libDF rounds in Rust (half away from zero); Math.Round would round half to even.
            var edge = (int)MathF.Round(frequency / binWidth, MidpointRounding.AwayFromZero);
            var width = edge - previousEdge - overflow;
            if (width < minBins)
            {
                overflow = minBins - width;
                width = minBins;
            }
            else
            {
                overflow = 0;
            }

            widths[i - 1] = width;
            previousEdge = edge;
        }

        widths[^1] += 1;
        var surplus = widths.Sum() - bins;
        if (surplus > 0)
        {
            widths[^1] -= surplus;
        }

        if (widths.Sum() != bins || widths.Any(w => w < 1))
        {
            throw new ArgumentException(
                $"{bandCount} ERB bands cannot cover {bins} bins of a {fftSize}-point FFT at {sampleRate} Hz.");
        }

        return widths;
    }

    private static float FrequencyToErb(float hz) => 9.265f * MathF.Log(1f + hz / (24.7f * 9.265f));

    private static float ErbToFrequency(float erb) => 24.7f * 9.265f * (MathF.Exp(erb / 9.265f) - 1f);
}
