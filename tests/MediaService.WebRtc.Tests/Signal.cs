namespace AudioStream.MediaService.WebRtc.Tests;

/// <summary>Plain-array helpers for comparing decoded audio with its source.</summary>
internal static class Signal
{
    /// <summary>Best normalised cross-correlation of <paramref name="b"/> against <paramref name="a"/> over lags 0..maxLag (b delayed).</summary>
    public static double BestCorrelation(float[] a, float[] b, int maxLag)
    {
        double best = -1;
        for (int lag = 0; lag <= maxLag; lag++)
        {
            best = Math.Max(best, Correlation(a, 0, b, lag, Math.Min(a.Length, b.Length - lag)));
        }

        return best;
    }

    public static double Correlation(float[] a, int aOffset, float[] b, int bOffset, int length)
    {
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < length; i++)
        {
            double x = a[aOffset + i], y = b[bOffset + i];
            sab += x * y;
            saa += x * x;
            sbb += y * y;
        }

        return saa == 0 || sbb == 0 ? 0 : sab / Math.Sqrt(saa * sbb);
    }

    /// <summary>A sweep from 200 Hz to 2 kHz over <paramref name="samples"/> at 48 kHz: unlike a tone, it lines up at one lag only.</summary>
    public static float[] Chirp(int samples)
    {
        var x = new float[samples];
        double phase = 0;
        for (int i = 0; i < samples; i++)
        {
            double hz = 200 + (1800.0 * i / samples);
            phase += 2 * Math.PI * hz / 48000;
            x[i] = (float)(0.3 * Math.Sin(phase));
        }

        return x;
    }

    /// <summary>RMS envelope in windows of <paramref name="window"/> samples.</summary>
    public static float[] Envelope(float[] x, int window)
    {
        var envelope = new float[x.Length / window];
        for (int w = 0; w < envelope.Length; w++)
        {
            double sum = 0;
            for (int i = 0; i < window; i++)
            {
                double v = x[(w * window) + i];
                sum += v * v;
            }

            envelope[w] = (float)Math.Sqrt(sum / window);
        }

        return envelope;
    }

    /// <summary>Reads a 16-bit PCM mono WAV as floats.</summary>
    public static float[] ReadWav(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int offset = 12;
        while (offset + 8 <= bytes.Length)
        {
            string id = System.Text.Encoding.ASCII.GetString(bytes, offset, 4);
            int size = BitConverter.ToInt32(bytes, offset + 4);
            if (id == "data")
            {
                var samples = new float[size / 2];
                for (int i = 0; i < samples.Length; i++)
                {
                    samples[i] = BitConverter.ToInt16(bytes, offset + 8 + (2 * i)) / 32768f;
                }

                return samples;
            }

            offset += 8 + size + (size & 1);
        }

        throw new InvalidDataException("No data chunk.");
    }
}
