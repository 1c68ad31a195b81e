namespace AudioStream.MediaService.Denoising.Signal;

/// <summary>
/// DeepFilterNet's enhancement of one frame t: ERB gains on every bin of X[t], then for the low bins a complex FIR
/// over neighbouring frames of the <em>unmasked</em> noisy spectrum, Y[t,f] = Σₙ X[t − order + 1 + lookahead + n, f] ·
/// c[t,f,n] (no conjugate). The whole-file and the streaming paths both enhance frame by frame through it.
/// </summary>
public static class DeepFilter
{
    /// <summary>Index of the enhanced frame t within a window of the <paramref name="order"/> frames the filter reads.</summary>
    public static int CurrentFrameIndex(int order, int lookahead) => order - 1 - lookahead;

    /// <param name="windowRe">Noisy spectra of frames t − order + 1 + lookahead … t + lookahead, frame-major, <paramref name="bins"/> each.</param>
    /// <param name="gains">ERB band gains of frame t (the mask).</param>
    /// <param name="coefs">Coefficients of frame t: [dfBin, tap, re/im].</param>
    /// <param name="outRe">Enhanced spectrum of frame t (<paramref name="bins"/> values).</param>
    public static void EnhanceFrame(
        ErbBands bands, ReadOnlySpan<float> windowRe, ReadOnlySpan<float> windowIm, int bins,
        ReadOnlySpan<float> gains, ReadOnlySpan<float> coefs, int dfBins, int order, int lookahead,
        Span<float> outRe, Span<float> outIm)
    {
        var current = CurrentFrameIndex(order, lookahead) * bins;
        windowRe.Slice(current, bins).CopyTo(outRe);
        windowIm.Slice(current, bins).CopyTo(outIm);
        bands.ApplyGains(gains, outRe, outIm);
        ApplyFrame(windowRe, windowIm, bins, coefs, dfBins, order, outRe, outIm);
    }

    /// <summary>The deep filter alone: overwrites the low <paramref name="dfBins"/> bins of the output frame.</summary>
    public static void ApplyFrame(
        ReadOnlySpan<float> windowRe, ReadOnlySpan<float> windowIm, int bins,
        ReadOnlySpan<float> coefs, int dfBins, int order, Span<float> outRe, Span<float> outIm)
    {
        for (var f = 0; f < dfBins; f++)
        {
            float yr = 0, yi = 0;
            var c = f * order * 2;
            for (var n = 0; n < order; n++)
            {
                float xr = windowRe[n * bins + f], xi = windowIm[n * bins + f];
                float cr = coefs[c + 2 * n], ci = coefs[c + 2 * n + 1];
                yr += xr * cr - xi * ci;
                yi += xr * ci + xi * cr;
            }

            outRe[f] = yr;
            outIm[f] = yi;
        }
    }
}
