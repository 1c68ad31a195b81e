using AudioStream.MediaService.Denoising.Audio;
using AudioStream.MediaService.WebRtc.Opus;

namespace AudioStream.Benchmarks.MediaLoad;

/// <summary>
/// What every broadcaster sends: a WAV encoded once to 20 ms Opus packets (looped), so senders cost only SRTP; and the
/// 10 ms RMS envelope of what listeners should hear (the denoised reference when denoising), for latency alignment.
/// </summary>
internal sealed class AudioSource
{
    public const int HopSamples = 480;

    private AudioSource(byte[][] packets, float[] referenceEnvelope)
    {
        Packets = packets;
        ReferenceEnvelope = referenceEnvelope;
    }

    public byte[][] Packets { get; }

    /// <summary>One value per 10 ms hop of the clip; hop h of a sender's stream is ReferenceEnvelope[h % Length].</summary>
    public float[] ReferenceEnvelope { get; }

    public static AudioSource Load(string audioPath, string referencePath)
    {
        var audio = Mono48k(audioPath);
        var reference = Mono48k(referencePath);
        int frames = audio.Length / OpusAudioEncoder.FrameSamples;
        var encoder = new OpusAudioEncoder();
        var packets = new byte[frames][];
        var buffer = new byte[OpusAudioEncoder.MaxPacketBytes];
        for (int f = 0; f < frames; f++)
        {
            int length = encoder.Encode(audio.AsSpan(f * OpusAudioEncoder.FrameSamples, OpusAudioEncoder.FrameSamples), buffer);
            packets[f] = buffer[..length];
        }

        int hops = frames * 2;
        Array.Resize(ref reference, Math.Max(reference.Length, hops * HopSamples));
        return new AudioSource(packets, Envelope(reference.AsSpan(0, hops * HopSamples)));
    }

    public static float[] Envelope(ReadOnlySpan<float> samples)
    {
        var envelope = new float[samples.Length / HopSamples];
        for (int h = 0; h < envelope.Length; h++)
        {
            envelope[h] = Rms(samples.Slice(h * HopSamples, HopSamples));
        }

        return envelope;
    }

    public static float Rms(ReadOnlySpan<float> hop)
    {
        double sum = 0;
        foreach (var x in hop)
        {
            sum += x * x;
        }

        return (float)Math.Sqrt(sum / hop.Length);
    }

    private static float[] Mono48k(string path)
    {
        var wav = WavReader.Read(path);
        if (wav.SampleRate != 48000 || wav.Channels != 1)
        {
            throw new InvalidDataException($"{path}: 48 kHz mono expected, found {wav.SampleRate} Hz × {wav.Channels}");
        }

        return wav.Samples;
    }
}
