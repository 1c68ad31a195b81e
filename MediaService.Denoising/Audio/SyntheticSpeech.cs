namespace AudioStream.MediaService.Denoising.Audio;

/// <summary>Speech-like test audio: harmonic syllables (2.5 per second, gliding pitch) in broadband noise, deterministic per seed.</summary>
public static class SyntheticSpeech
{
    public static float[] Generate(int length, int sampleRate, int seed = 42)
    {
        var random = new Random(seed);
        var signal = new float[length];
        for (var i = 0; i < length; i++)
        {
            var t = (double)i / sampleRate;
            var envelope = Math.Max(0, Math.Sin(2 * Math.PI * 2.5 * t));
            var pitch = 120 + 30 * Math.Sin(2 * Math.PI * 0.25 * t);
            var voice = 0.0;
            for (var h = 1; h <= 8; h++)
            {
                voice += Math.Sin(2 * Math.PI * pitch * h * t) / h;
            }

            signal[i] = (float)(0.1 * envelope * voice + 0.03 * (random.NextDouble() * 2 - 1));
        }

        return signal;
    }
}
