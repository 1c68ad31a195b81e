using AudioStream.MediaService.Denoising.Signal;

namespace AudioStream.MediaService.Denoising.Tests.Signal;

public sealed class FeatureTests
{
    [Fact]
    public void Erb_band_widths_match_libdf_for_deepfilternet3()
    {
        var bands = new ErbBands(48_000, 960, 32, 2);

        int[] expected = [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 5, 5, 7, 7, 8, 10, 12, 13, 15, 18, 20, 24, 28, 31, 37, 42, 50, 56, 67];
        Assert.Equal(expected, bands.Widths.ToArray());
        Assert.Equal(481, bands.Widths.ToArray().Sum());
    }

    [Fact]
    public void Band_gains_apply_piecewise_constant_per_band()
    {
        var bands = new ErbBands(48_000, 960, 32, 2);
        var re = Enumerable.Repeat(1f, 481).ToArray();
        var im = Enumerable.Repeat(-1f, 481).ToArray();
        var gains = Enumerable.Range(0, 32).Select(b => b / 31f).ToArray();

        bands.ApplyGains(gains, re, im);

        Assert.Equal(0f, re[0]);
        Assert.Equal(1f / 31, re[2], 1e-6);
        Assert.Equal(1f, re[480]);
        Assert.Equal(-1f, im[480]);
    }

    [Fact]
    public void Norm_alpha_rounds_exp_of_minus_hop_over_tau_to_three_decimals() =>
        Assert.Equal(0.99f, NormAlpha.Compute(48_000, 480, 1f));

    [Fact]
    public void Erb_feature_starts_from_minus_60_to_minus_90_dB()
    {
        var normalizer = new ErbFeatureNormalizer(32, 0.99f);
        var powers = Enumerable.Repeat(1e-6f, 32).ToArray(); // −60 dB
        var feature = new float[32];

        normalizer.Normalize(powers, feature);

        // Band 0's mean starts at −60 dB: the feature is 0. Band 31's at −90 dB: (−60 − (−89.7)) / 40.
        Assert.Equal(0f, feature[0], 1e-4);
        Assert.Equal((-60 - (-60 * 0.01 + -90 * 0.99)) / 40, feature[31], 1e-3);
    }

    [Fact]
    public void Spec_feature_divides_by_the_root_of_the_running_magnitude()
    {
        var normalizer = new SpecFeatureNormalizer(96, 0.99f);
        var re = Enumerable.Repeat(0.001f, 96).ToArray();
        var im = new float[96];
        var featureRe = new float[96];
        var featureIm = new float[96];

        normalizer.Normalize(re, im, featureRe, featureIm);

        // Bin 0 starts at 0.001 and sees |X| = 0.001: the mean stays 0.001.
        Assert.Equal(0.001f / MathF.Sqrt(0.001f), featureRe[0], 1e-4);
        Assert.Equal(0f, featureIm[0]);
    }

    [Fact]
    public void Deep_filter_sums_taps_over_past_and_future_frames_without_conjugate()
    {
        const int Bins = 3, DfBins = 2, Order = 5;
        // A window of frames t − 2 … t + 2: frame n holds (n + 1) + i in bin 0.
        var re = new float[Order * Bins];
        var im = new float[Order * Bins];
        for (var n = 0; n < Order; n++)
        {
            re[n * Bins] = n + 1;
            im[n * Bins] = 1;
        }

        var coefs = new float[DfBins * Order * 2];
        // Bin 0: tap n = 4 (frame t + 2) with coefficient i.
        coefs[2 * 4 + 1] = 1;
        var outRe = new float[Bins];
        var outIm = new float[Bins];

        DeepFilter.ApplyFrame(re, im, Bins, coefs, DfBins, Order, outRe, outIm);

        // (5 + i)·i = −1 + 5i; bin 1 has no taps set.
        Assert.Equal(-1f, outRe[0]);
        Assert.Equal(5f, outIm[0]);
        Assert.Equal(0f, outRe[1]);
        Assert.Equal(2, DeepFilter.CurrentFrameIndex(Order, lookahead: 2));
    }

    [Fact]
    public void Crossfade_of_identical_signals_is_the_signal_and_ramps_linearly()
    {
        var a = Enumerable.Range(0, 9).Select(i => (float)i).ToArray();
        var same = new float[9];
        Crossfade.Linear(a, a, same);
        Assert.Equal(a, same);

        var ramp = new float[9];
        Crossfade.Linear(new float[9], Enumerable.Repeat(1f, 9).ToArray(), ramp);
        Assert.Equal(0.1f, ramp[0], 1e-6);
        Assert.Equal(0.9f, ramp[8], 1e-6);
    }
}
