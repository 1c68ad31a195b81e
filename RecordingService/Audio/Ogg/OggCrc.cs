namespace AudioStream.RecordingService.Audio.Ogg;

/// <summary>
/// The page checksum of RFC 3533 §6: CRC-32 with polynomial 0x04C11DB7, initial value 0, no reflection and no final
/// XOR, over the whole page with its CRC field set to zero.
/// </summary>
public static class OggCrc
{
    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data, uint crc = 0)
    {
        foreach (var b in data)
        {
            crc = (crc << 8) ^ Table[(byte)(crc >> 24) ^ b];
        }
        return crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var r = i << 24;
            for (var bit = 0; bit < 8; bit++)
            {
                r = (r & 0x8000_0000) != 0 ? (r << 1) ^ 0x04C1_1DB7 : r << 1;
            }
            table[i] = r;
        }
        return table;
    }
}
