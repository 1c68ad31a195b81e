namespace AudioStream.RecordingService.Audio.Opus;

/// <summary>What an Opus packet's table-of-contents byte says about its length in time (RFC 6716 §3.1).</summary>
public static class OpusPacket
{
    /// <summary>Samples at 48 kHz the packet decodes to; 0 for a packet that is malformed by §3.4's rules.</summary>
    public static int Samples(ReadOnlySpan<byte> packet)
    {
        if (packet.IsEmpty)
        {
            return 0;
        }
        var toc = packet[0];
        var frames = (toc & 0x03) switch
        {
            0 => 1,
            1 or 2 => 2,
            _ => packet.Length >= 2 ? packet[1] & 0x3F : 0,
        };
        var samples = frames * FrameSamples(toc >> 3);
        // §3.4 [R5]: a packet holds at most 120 ms.
        return samples <= 5760 ? samples : 0;
    }

    /// <summary>Frame length of a configuration number (§3.1, Table 2): SILK-only, hybrid, then CELT-only.</summary>
    private static int FrameSamples(int config) => config switch
    {
        < 12 => (config & 3) switch { 0 => 480, 1 => 960, 2 => 1920, _ => 2880 },
        < 16 => (config & 1) == 0 ? 480 : 960,
        _ => (config & 3) switch { 0 => 120, 1 => 240, 2 => 480, _ => 960 },
    };
}
