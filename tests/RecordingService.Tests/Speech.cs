namespace AudioStream.RecordingService.Tests;

/// <summary>
/// A speech-like test signal (a 140 Hz voice with falling harmonics, its loudness moving at syllable rate) as 16-bit
/// PCM on a timeline: a lossy codec keeps its waveform, so decoded audio can be lined up with it sample by sample.
/// </summary>
internal static class Speech
{
    private const int Rate = 48_000;

    public static short Sample(long index)
    {
        var t = (double)index / Rate;
        var envelope = 0.55 + (0.45 * Math.Sin(2 * Math.PI * 3.7 * t));
        double voice = 0;
        for (var harmonic = 1; harmonic <= 12; harmonic++)
        {
            voice += Math.Sin(2 * Math.PI * 140 * harmonic * t * (1 + (0.02 * Math.Sin(2 * Math.PI * 0.5 * t)))) / harmonic;
        }
        return (short)(6000 * envelope * voice / 2);
    }

    public static byte[] Pcm(long first, int samples)
    {
        var bytes = new byte[samples * 2];
        for (var i = 0; i < samples; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(i * 2), Sample(first + i));
        }
        return bytes;
    }

    public static double Correlation(ReadOnlySpan<short> a, ReadOnlySpan<short> b)
    {
        double ab = 0, aa = 0, bb = 0;
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            ab += a[i] * (double)b[i];
            aa += a[i] * (double)a[i];
            bb += b[i] * (double)b[i];
        }
        return aa == 0 || bb == 0 ? 0 : ab / Math.Sqrt(aa * bb);
    }

    /// <summary>How well <paramref name="decoded"/>[from..] matches the signal at the same timeline positions.</summary>
    public static double CorrelationAt(short[] decoded, long from, int length, int lag = 0)
    {
        var expected = new short[length];
        for (var i = 0; i < length; i++)
        {
            expected[i] = Sample(from + i + lag);
        }
        return Correlation(decoded.AsSpan((int)from, length), expected);
    }

    /// <summary>The lag in ±<paramref name="maxLag"/> at which <paramref name="decoded"/>[from..] best matches the signal.</summary>
    public static int BestLag(short[] decoded, long from, int length, int maxLag)
    {
        var expected = new short[length + (2 * maxLag)];
        for (var i = 0; i < expected.Length; i++)
        {
            expected[i] = Sample(from - maxLag + i);
        }
        var best = 0;
        var bestCorrelation = double.MinValue;
        for (var lag = -maxLag; lag <= maxLag; lag++)
        {
            var correlation = Correlation(decoded.AsSpan((int)from, length), expected.AsSpan(maxLag + lag, length));
            if (correlation > bestCorrelation)
            {
                (best, bestCorrelation) = (lag, correlation);
            }
        }
        return best;
    }
}
