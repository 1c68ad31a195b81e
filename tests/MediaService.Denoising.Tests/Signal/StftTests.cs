using AudioStream.MediaService.Denoising.Signal;

namespace AudioStream.MediaService.Denoising.Tests.Signal;

public sealed class StftTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(479)]
    [InlineData(480)]
    [InlineData(48_000)]
    [InlineData(48_123)]
    public void Stft_and_inverse_reconstruct_the_signal(int length)
    {
        var random = new Random(length);
        var signal = Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var stft = new Stft(960, 480);
        var frames = stft.FramesFor(length);
        var re = new float[frames * stft.Bins];
        var im = new float[frames * stft.Bins];
        var output = new float[length];

        stft.Analyze(signal, frames, re, im);
        stft.Synthesize(re, im, frames, output);

        var worst = signal.Zip(output, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst < 1e-5, $"reconstruction error {worst:E2}");
    }

    [Fact]
    public void Vorbis_window_is_power_complementary_at_half_overlap()
    {
        var window = VorbisWindow.Create(960);
        for (var i = 0; i < 480; i++)
        {
            Assert.Equal(1.0, window[i] * window[i] + window[i + 480] * window[i + 480], 1e-6);
        }

        Assert.Equal(Math.Sin(Math.PI / 2 * Math.Pow(Math.Sin(Math.PI * 0.5 / 960), 2)), window[0], 1e-7);
    }

    [Fact]
    public void Forward_transform_is_scaled_by_two_hops_over_fft_size_squared()
    {
        // A constant 1 through the window sums to Σw; the DC bin must carry Σw·2·hop/N².
        var stft = new Stft(960, 480);
        var signal = Enumerable.Repeat(1f, 4800).ToArray();
        var re = new float[3 * stft.Bins];
        var im = new float[3 * stft.Bins];
        stft.Analyze(signal, 3, re, im);

        var windowSum = VorbisWindow.Create(960).Sum(w => (double)w);
        Assert.Equal(windowSum / 960, re[2 * stft.Bins], 1e-4);
    }
}
