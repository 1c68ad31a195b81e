namespace AudioStream.MediaService.Denoising.Audio;

public enum WavSampleFormat
{
    Pcm,
    IeeeFloat,
}

/// <summary>Decoded WAV contents: interleaved float samples in [−1, 1] (PCM scaled), as stored.</summary>
public sealed record WavAudio(int SampleRate, int Channels, WavSampleFormat Format, int BitsPerSample, float[] Samples)
{
    public int Frames => Samples.Length / Channels;

    public TimeSpan Duration => TimeSpan.FromSeconds((double)Frames / SampleRate);
}
