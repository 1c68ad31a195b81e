using AudioStream.MediaService.Denoising.Signal;

namespace AudioStream.MediaService.Denoising.Tests.Signal;

public sealed class FftTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(12)]
    [InlineData(15)]
    [InlineData(480)]
    public void Complex_fft_matches_a_direct_dft(int size)
    {
        var random = new Random(size);
        var re = Enumerable.Range(0, size).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var im = Enumerable.Range(0, size).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var (expectedRe, expectedIm) = Dft(re, im);

        var fft = new ComplexFft(size);
        fft.Forward(re, im);

        for (var k = 0; k < size; k++)
        {
            Assert.Equal(expectedRe[k], re[k], 1e-3);
            Assert.Equal(expectedIm[k], im[k], 1e-3);
        }
    }

    [Fact]
    public void Real_fft_matches_a_direct_dft_and_inverts()
    {
        const int Size = 960;
        var random = new Random(7);
        var signal = Enumerable.Range(0, Size).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var (expectedRe, expectedIm) = Dft(signal, new float[Size]);
        var fft = new RealFft(Size);
        var re = new float[fft.Bins];
        var im = new float[fft.Bins];

        fft.Forward(signal, re, im);
        var back = new float[Size];
        fft.Inverse(re, im, back);

        for (var k = 0; k < fft.Bins; k++)
        {
            Assert.Equal(expectedRe[k], re[k], 2e-3);
            Assert.Equal(expectedIm[k], im[k], 2e-3);
        }

        for (var n = 0; n < Size; n++)
        {
            Assert.Equal(signal[n], back[n] / Size, 1e-5);
        }
    }

    [Fact]
    public void Sizes_with_other_prime_factors_are_refused() =>
        Assert.Throws<ArgumentException>(() => new ComplexFft(7 * 16));

    private static (double[] Re, double[] Im) Dft(float[] re, float[] im)
    {
        var n = re.Length;
        var outRe = new double[n];
        var outIm = new double[n];
        for (var k = 0; k < n; k++)
        {
            for (var t = 0; t < n; t++)
            {
                var angle = -2 * Math.PI * k * t / n;
                outRe[k] += re[t] * Math.Cos(angle) - im[t] * Math.Sin(angle);
                outIm[k] += re[t] * Math.Sin(angle) + im[t] * Math.Cos(angle);
            }
        }

        return (outRe, outIm);
    }
}
