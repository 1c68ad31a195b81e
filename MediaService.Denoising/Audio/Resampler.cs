namespace AudioStream.MediaService.Denoising.Audio;

/// <summary>
/// Band-limited resampling by Kaiser-windowed sinc interpolation (β = 8.6, 32 zero crossings a side, cutoff at
/// 95 % of the lower Nyquist frequency): about 80 dB of image rejection, for any ratio of integer rates.
/// The kernel is tabulated finely and read with linear interpolation.
/// </summary>
public static class Resampler
{
    private const int ZeroCrossings = 32;
    private const int TableSteps = 512;
    private const double Beta = 8.6;
    private const double CutoffFraction = 0.95;
    private static readonly Lazy<double[]> Table = new(BuildTable);

    public static float[] Resample(ReadOnlySpan<float> input, int fromRate, int toRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fromRate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(toRate, 1);
        if (fromRate == toRate || input.Length == 0)
        {
            return input.ToArray();
        }

        var outputLength = (int)Math.Round((double)input.Length * toRate / fromRate);
        var output = new float[outputLength];
        var table = Table.Value;
        // Relative to the input's sample rate: below 1 when downsampling, to reject what would alias.
        var cutoff = CutoffFraction * Math.Min(1.0, (double)toRate / fromRate);
        var halfWidth = ZeroCrossings / cutoff;
        var step = (double)fromRate / toRate;
        for (var n = 0; n < outputLength; n++)
        {
            var t = n * step;
            var first = Math.Max(0, (int)Math.Ceiling(t - halfWidth));
            var last = Math.Min(input.Length - 1, (int)Math.Floor(t + halfWidth));
            double sum = 0;
            for (var j = first; j <= last; j++)
            {
                var position = Math.Abs(t - j) * cutoff * TableSteps;
                var index = (int)position;
                if (index >= table.Length - 1)
                {
                    continue;
                }

                var fraction = position - index;
                sum += input[j] * (table[index] + (table[index + 1] - table[index]) * fraction);
            }

            output[n] = (float)(sum * cutoff);
        }

        return output;
    }

    /// <summary>Mixes interleaved channels down to mono by averaging.</summary>
    public static float[] Downmix(ReadOnlySpan<float> interleaved, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        if (channels == 1)
        {
            return interleaved.ToArray();
        }

        var frames = interleaved.Length / channels;
        var mono = new float[frames];
        for (var i = 0; i < frames; i++)
        {
            var sum = 0f;
            for (var c = 0; c < channels; c++)
            {
                sum += interleaved[i * channels + c];
            }

            mono[i] = sum / channels;
        }

        return mono;
    }

    /// <summary>Downmixes and resamples a decoded file to mono at <paramref name="sampleRate"/>.</summary>
    public static float[] ToMono(WavAudio audio, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(audio);
        var mono = Downmix(audio.Samples, audio.Channels);
        return audio.SampleRate == sampleRate ? mono : Resample(mono, audio.SampleRate, sampleRate);
    }

    private static double[] BuildTable()
    {
        // sinc(x)·kaiser(x / ZeroCrossings) for x in [0, ZeroCrossings], TableSteps points per zero crossing.
        var table = new double[ZeroCrossings * TableSteps + 2];
        var denominator = BesselI0(Beta);
        for (var i = 0; i < table.Length; i++)
        {
            var x = (double)i / TableSteps;
            var sinc = x == 0 ? 1.0 : Math.Sin(Math.PI * x) / (Math.PI * x);
            var r = x / ZeroCrossings;
            table[i] = r >= 1 ? 0 : sinc * BesselI0(Beta * Math.Sqrt(1 - r * r)) / denominator;
        }

        return table;
    }

    private static double BesselI0(double x)
    {
        double sum = 1, term = 1;
        for (var k = 1; k < 50; k++)
        {
            term *= x / (2 * k) * (x / (2 * k));
            sum += term;
            if (term < sum * 1e-17)
            {
                break;
            }
        }

        return sum;
    }
}
