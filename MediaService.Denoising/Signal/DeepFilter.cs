namespace AudioStream.MediaService.Denoising.Signal;

/// <summary>
/// DeepFilterNet's deep filter: each low bin of the output is a complex FIR over neighbouring frames of the
/// <em>unmasked</em> noisy spectrum, Y[t,f] = Σₙ X[t − order + 1 + lookahead + n, f] · c[t,f,n] (no conjugate).
/// </summary>
public static class DeepFilter
{
    /// <param name="noisyRe">Noisy spectrum, frame-major with <paramref name="bins"/> per frame, <paramref name="frames"/> frames.</param>
    /// <param name="coefs">Model output [frame, dfBin, tap, re/im] for at least <paramref name="outputFrames"/> frames.</param>
    /// <param name="outRe">Output spectrum (same layout); bins below <paramref name="dfBins"/> are overwritten.</param>
    public static void Apply(
        ReadOnlySpan<float> noisyRe, ReadOnlySpan<float> noisyIm, int frames, int bins,
        ReadOnlySpan<float> coefs, int dfBins, int order, int lookahead,
        Span<float> outRe, Span<float> outIm, int outputFrames)
    {
        var firstOffset = lookahead - order + 1;
        for (var t = 0; t < outputFrames; t++)
        {
            var row = t * bins;
            var coefRow = t * dfBins * order * 2;
            for (var f = 0; f < dfBins; f++)
            {
                float yr = 0, yi = 0;
                var c = coefRow + f * order * 2;
                for (var n = 0; n < order; n++)
                {
                    var source = t + firstOffset + n;
                    if ((uint)source >= (uint)frames)
                    {
                        continue;
                    }

                    float xr = noisyRe[source * bins + f], xi = noisyIm[source * bins + f];
                    float cr = coefs[c + 2 * n], ci = coefs[c + 2 * n + 1];
                    yr += xr * cr - xi * ci;
                    yi += xr * ci + xi * cr;
                }

                outRe[row + f] = yr;
                outIm[row + f] = yi;
            }
        }
    }
}
