namespace AudioStream.MediaTests;

/// <summary>Plain-array helpers to line up what a listener heard with the server's tracks.</summary>
internal static class AudioAnalysis
{
    public static double Correlation(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sab = 0, saa = 0, sbb = 0;
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
        {
            sab += a[i] * b[i];
            saa += a[i] * a[i];
            sbb += b[i] * b[i];
        }

        return saa == 0 || sbb == 0 ? 0 : sab / Math.Sqrt(saa * sbb);
    }

    /// <summary>Log-energy envelope (dB) in windows of <paramref name="window"/> samples.</summary>
    public static float[] Envelope(ReadOnlySpan<float> x, int window)
    {
        var envelope = new float[x.Length / window];
        for (int w = 0; w < envelope.Length; w++)
        {
            envelope[w] = (float)EnergyDb(x.Slice(w * window, window));
        }

        return envelope;
    }

    public static double EnergyDb(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (var v in x)
        {
            sum += v * v;
        }

        return 10 * Math.Log10((sum / Math.Max(1, x.Length)) + 1e-10);
    }

    /// <summary>The offset into <paramref name="reference"/> where <paramref name="heard"/> fits best, by envelope then by waveform.</summary>
    public static (int Offset, double EnvelopeCorrelation) Align(float[] reference, float[] heard)
    {
        const int Window = 480;
        var referenceEnvelope = Envelope(reference, Window);
        var heardEnvelope = Envelope(heard, Window);
        double best = -1;
        int bestLag = 0;
        for (int lag = 0; lag + heardEnvelope.Length <= referenceEnvelope.Length; lag++)
        {
            double r = Correlation(referenceEnvelope.AsSpan(lag, heardEnvelope.Length), heardEnvelope);
            if (r > best)
            {
                best = r;
                bestLag = lag;
            }
        }

        int offset = bestLag * Window;
        double bestWave = -1;
        int bestOffset = offset;
        for (int shift = -Window; shift <= Window; shift++)
        {
            int start = offset + shift;
            if (start >= 0 && start + heard.Length <= reference.Length)
            {
                double r = Correlation(reference.AsSpan(start, heard.Length), heard);
                if (r > bestWave)
                {
                    bestWave = r;
                    bestOffset = start;
                }
            }
        }

        return (bestOffset, best);
    }

    /// <summary>
    /// Waveform correlation per segment (<paramref name="segment"/> samples, 200 ms by default), each allowed
    /// ±<paramref name="slack"/> samples of its own lag: the browser's jitter buffer stretches or shrinks time while it
    /// adapts (NetEq accelerate/expand, one pitch period at a time), which shifts later audio. The lag of a segment that
    /// matched (r &gt; 0.8) seeds the next; a segment that did not (near-silence, a stretch inside it) leaves it as it was.
    /// </summary>
    public static double[] SegmentCorrelations(float[] reference, int offset, float[] heard, int slack = 960, int segment = 9600)
    {
        var results = new List<double>();
        int drift = 0;
        for (int start = 0; start + segment <= heard.Length; start += segment)
        {
            double best = -1;
            int bestShift = drift;
            for (int shift = drift - slack; shift <= drift + slack; shift++)
            {
                int at = offset + start + shift;
                if (at >= 0 && at + segment <= reference.Length)
                {
                    double r = Correlation(reference.AsSpan(at, segment), heard.AsSpan(start, segment));
                    if (r > best)
                    {
                        best = r;
                        bestShift = shift;
                    }
                }
            }

            if (best > 0.8)
            {
                drift = bestShift;
            }

            results.Add(best);
        }

        return [.. results];
    }

    public static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }

    public static float[] FromPcm16(byte[] bytes)
    {
        var samples = new float[bytes.Length / 2];
        for (int i = 0; i < samples.Length; i++)
        {
            samples[i] = BitConverter.ToInt16(bytes, 2 * i) / 32768f;
        }

        return samples;
    }
}
