namespace AudioStream.MediaService.WebRtc.Opus;

/// <summary>
/// Runs the Opus encoder and decoder over a second of noise so that the JIT has compiled them before the first
/// listener connects: otherwise that listener's first frames wait a few hundred milliseconds and are dropped as late.
/// </summary>
public static class OpusWarmUp
{
    public static TimeSpan Run()
    {
        var started = TimeProvider.System.GetTimestamp();
        var random = new Random(1);
        var frame = new float[OpusAudioEncoder.FrameSamples];
        var packet = new byte[OpusAudioEncoder.MaxPacketBytes];
        var pcm = new float[OpusAudioDecoder.MaxFrameSamples];
        var decoder = new OpusAudioDecoder();
        foreach (var encoder in new[] { new OpusAudioEncoder(channels: 1), new OpusAudioEncoder(channels: 2) })
        {
            for (int i = 0; i < 50; i++)
            {
                for (int s = 0; s < frame.Length; s++)
                {
                    frame[s] = (float)((random.NextDouble() - 0.5) * 0.2);
                }

                int length = encoder.Encode(frame, packet);
                decoder.Decode(packet.AsSpan(0, length), pcm);
            }
        }

        decoder.Conceal(pcm);
        return TimeProvider.System.GetElapsedTime(started);
    }
}
