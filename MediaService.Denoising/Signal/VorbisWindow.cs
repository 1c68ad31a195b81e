namespace AudioStream.MediaService.Denoising.Signal;

/// <summary>
/// The Vorbis power-complementary window DeepFilterNet uses: w[i] = sin(π/2 · sin²(π(i + ½)/N)).
/// With 50 % overlap w²[i] + w²[i + N/2] = 1, so analysis and synthesis with the same window reconstruct exactly.
/// </summary>
public static class VorbisWindow
{
    public static float[] Create(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 2);
        var window = new float[size];
        for (var i = 0; i < size; i++)
        {
            var s = Math.Sin(Math.PI * (i + 0.5) / size);
            window[i] = (float)Math.Sin(Math.PI / 2 * s * s);
        }

        return window;
    }
}
