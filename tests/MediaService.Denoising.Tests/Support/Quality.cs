namespace AudioStream.MediaService.Denoising.Tests.Support;

/// <summary>The quality measures of the issue: SNR against a reference and attenuation in noise-only segments.</summary>
public static class Quality
{
    public const int SegmentSamples = 960;

    public static double Snr(ReadOnlySpan<float> reference, ReadOnlySpan<float> output)
    {
        double signal = 0, error = 0;
        var n = Math.Min(reference.Length, output.Length);
        for (var i = 0; i < n; i++)
        {
            signal += (double)reference[i] * reference[i];
            var d = (double)reference[i] - output[i];
            error += d * d;
        }

        return 10 * Math.Log10(signal / Math.Max(error, 1e-20));
    }

    /// <summary>
    /// Reduction in dB (positive) of output energy against noisy-input energy, over the 20 ms segments where the
    /// reference is more than 35 dB below its loudest segment.
    /// </summary>
    public static double NoiseAttenuation(ReadOnlySpan<float> noisy, ReadOnlySpan<float> reference, ReadOnlySpan<float> output)
    {
        var segments = Math.Min(Math.Min(noisy.Length, reference.Length), output.Length) / SegmentSamples;
        var energies = new double[segments];
        for (var s = 0; s < segments; s++)
        {
            energies[s] = Energy(reference.Slice(s * SegmentSamples, SegmentSamples));
        }

        var threshold = energies.Max() * Math.Pow(10, -35 / 10.0);
        double noisyEnergy = 0, outputEnergy = 0;
        for (var s = 0; s < segments; s++)
        {
            if (energies[s] < threshold)
            {
                noisyEnergy += Energy(noisy.Slice(s * SegmentSamples, SegmentSamples));
                outputEnergy += Energy(output.Slice(s * SegmentSamples, SegmentSamples));
            }
        }

        return 10 * Math.Log10(noisyEnergy / Math.Max(outputEnergy, 1e-20));
    }

    private static double Energy(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (var v in x)
        {
            sum += (double)v * v;
        }

        return sum;
    }
}
