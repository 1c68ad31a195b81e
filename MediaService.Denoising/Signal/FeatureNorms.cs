namespace AudioStream.MediaService.Denoising.Signal;

/// <summary>The running normalisations of one signal (a file or a live stream): they carry over from frame to frame.</summary>
public sealed class FeatureNorms(int erbBands, int dfBins, float alpha)
{
    public ErbFeatureNormalizer Erb { get; } = new(erbBands, alpha);

    public SpecFeatureNormalizer Spec { get; } = new(dfBins, alpha);

    public void Reset()
    {
        Erb.Reset();
        Spec.Reset();
    }
}
