namespace AudioStream.MediaService.Denoising.Signal;

/// <summary>
/// One frame's model inputs from its spectrum: normalised ERB band levels (<c>feat_erb</c>) and the normalised
/// low bins (<c>feat_spec</c>, real and imaginary). One instance per thread; the state lives in <see cref="FeatureNorms"/>.
/// </summary>
public sealed class FeatureExtractor(ErbBands bands)
{
    private readonly float[] _powers = new float[bands.Count];

    public void Extract(
        ReadOnlySpan<float> re, ReadOnlySpan<float> im, FeatureNorms norms,
        Span<float> erb, Span<float> specRe, Span<float> specIm)
    {
        bands.BandPowers(re, im, _powers);
        norms.Erb.Normalize(_powers, erb);
        norms.Spec.Normalize(re, im, specRe, specIm);
    }
}
