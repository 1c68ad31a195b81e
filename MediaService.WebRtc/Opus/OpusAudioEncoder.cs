using Concentus;
using Concentus.Enums;

namespace AudioStream.MediaService.WebRtc.Opus;

/// <summary>48 kHz float PCM → Opus, 20 ms frames, mono in (duplicated to both channels when stereo was negotiated).</summary>
public sealed class OpusAudioEncoder
{
    public const int SampleRate = 48000;
    public const int FrameSamples = 960;

    /// <summary>RFC 7587 §3.1 recommends up to ~1275 bytes; our packets stay far below.</summary>
    public const int MaxPacketBytes = 1275;

    private readonly IOpusEncoder _encoder;
    private readonly float[] _interleaved;

    static OpusAudioEncoder() => OpusCodecFactory.AttemptToUseNativeLibrary = false;

    /// <param name="channels">1, or 2 when the offer asked for stereo.</param>
    /// <param name="bitrate">Bits per second; 0 picks 48 kbit/s mono, 64 kbit/s stereo (transparent for speech).</param>
    /// <param name="voip">VOIP favours intelligibility at low rates; the default AUDIO suits cleaned speech for listening.</param>
    public OpusAudioEncoder(int channels = 1, int bitrate = 0, bool voip = false)
    {
        if (channels is not (1 or 2))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), "Opus here is mono or stereo.");
        }

        Channels = channels;
        _encoder = OpusCodecFactory.CreateEncoder(
            SampleRate,
            channels,
            voip ? OpusApplication.OPUS_APPLICATION_VOIP : OpusApplication.OPUS_APPLICATION_AUDIO);
        _encoder.Bitrate = bitrate > 0 ? bitrate : (channels == 1 ? 48000 : 64000);
        _encoder.Complexity = 5;
        _encoder.UseInbandFEC = true;
        _encoder.PacketLossPercent = 5;
        _interleaved = new float[FrameSamples * channels];
    }

    public int Channels { get; }

    /// <summary>Encodes one 20 ms mono frame (960 samples). Returns the packet length written to <paramref name="packet"/>.</summary>
    public int Encode(ReadOnlySpan<float> monoFrame, Span<byte> packet)
    {
        if (monoFrame.Length != FrameSamples)
        {
            throw new ArgumentException($"A frame is {FrameSamples} samples (20 ms at 48 kHz).", nameof(monoFrame));
        }

        if (Channels == 1)
        {
            return _encoder.Encode(monoFrame, FrameSamples, packet, Math.Min(packet.Length, MaxPacketBytes));
        }

        for (int i = 0; i < FrameSamples; i++)
        {
            _interleaved[2 * i] = monoFrame[i];
            _interleaved[(2 * i) + 1] = monoFrame[i];
        }

        return _encoder.Encode(_interleaved, FrameSamples, packet, Math.Min(packet.Length, MaxPacketBytes));
    }
}
