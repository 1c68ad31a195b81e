using Concentus;

namespace AudioStream.MediaService.WebRtc.Opus;

/// <summary>Opus → 48 kHz mono float (Concentus, managed code only so results do not depend on a native libopus).</summary>
public sealed class OpusAudioDecoder
{
    public const int SampleRate = 48000;

    /// <summary>120 ms, the longest Opus packet.</summary>
    public const int MaxFrameSamples = 5760;

    public const int DefaultFrameSamples = 960;

    private readonly IOpusDecoder _decoder;

    static OpusAudioDecoder() => OpusCodecFactory.AttemptToUseNativeLibrary = false;

    public OpusAudioDecoder()
    {
        _decoder = OpusCodecFactory.CreateDecoder(SampleRate, 1);
    }

    /// <summary>Samples of the last decoded or concealed frame (used to size concealment).</summary>
    public int LastFrameSamples { get; private set; } = DefaultFrameSamples;

    /// <summary>Decodes one packet into <paramref name="pcm"/> (at least <see cref="MaxFrameSamples"/> long). Returns samples written.</summary>
    public int Decode(ReadOnlySpan<byte> packet, Span<float> pcm)
    {
        if (packet.IsEmpty)
        {
            return Conceal(pcm);
        }

        int samples = _decoder.Decode(packet, pcm, Math.Min(pcm.Length, MaxFrameSamples));
        if (samples > 0)
        {
            LastFrameSamples = samples;
        }

        return samples;
    }

    /// <summary>Packet-loss concealment: decodes "no packet" for one frame of the last frame's length.</summary>
    public int Conceal(Span<float> pcm, int samples = 0)
    {
        int frame = samples > 0 ? samples : LastFrameSamples;
        return _decoder.Decode(ReadOnlySpan<byte>.Empty, pcm, Math.Min(frame, pcm.Length));
    }
}
