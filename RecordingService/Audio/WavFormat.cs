using System.Buffers.Binary;

namespace AudioStream.RecordingService.Audio;

/// <summary>
/// The one WAV layout recordings use: canonical 44-byte header, PCM, mono, signed 16-bit little-endian.
/// Keeping to one layout lets repair trust the header's position of the data and re-derive its size from the file length.
/// </summary>
public static class WavFormat
{
    public const int HeaderSize = 44;
    public const int DefaultSampleRate = 48_000;
    public const short Channels = 1;
    public const short BitsPerSample = 16;
    public const int BytesPerSample = BitsPerSample / 8 * Channels;

    /// <summary>RIFF sizes are 32-bit: the data chunk can hold at most this many bytes (about 12 h at 48 kHz).</summary>
    public const long MaxDataBytes = uint.MaxValue - (HeaderSize - 8) - 1;

    public static void WriteHeader(Span<byte> header, int sampleRate, long dataBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(header.Length, HeaderSize);
        ArgumentOutOfRangeException.ThrowIfNegative(dataBytes);
        dataBytes = Math.Min(dataBytes, MaxDataBytes);
        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)(HeaderSize - 8 + dataBytes));
        "WAVE"u8.CopyTo(header[8..]);
        "fmt "u8.CopyTo(header[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(header[20..], 1); // PCM
        BinaryPrimitives.WriteInt16LittleEndian(header[22..], Channels);
        BinaryPrimitives.WriteInt32LittleEndian(header[24..], sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(header[28..], sampleRate * BytesPerSample);
        BinaryPrimitives.WriteInt16LittleEndian(header[32..], BytesPerSample);
        BinaryPrimitives.WriteInt16LittleEndian(header[34..], BitsPerSample);
        "data"u8.CopyTo(header[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[40..], (uint)dataBytes);
    }

    /// <summary>Reads a header this service wrote; false for anything else (another layout, not a WAV, too short).</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> header, out WavHeader result)
    {
        result = default;
        if (header.Length < HeaderSize
            || !header[..4].SequenceEqual("RIFF"u8)
            || !header[8..12].SequenceEqual("WAVE"u8)
            || !header[12..16].SequenceEqual("fmt "u8)
            || BinaryPrimitives.ReadUInt32LittleEndian(header[16..]) != 16
            || BinaryPrimitives.ReadUInt16LittleEndian(header[20..]) != 1
            || BinaryPrimitives.ReadInt16LittleEndian(header[22..]) != Channels
            || BinaryPrimitives.ReadInt16LittleEndian(header[34..]) != BitsPerSample
            || !header[36..40].SequenceEqual("data"u8))
        {
            return false;
        }
        result = new WavHeader(
            BinaryPrimitives.ReadInt32LittleEndian(header[24..]),
            BinaryPrimitives.ReadUInt32LittleEndian(header[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(header[40..]));
        return result.SampleRate > 0;
    }

    public static double Seconds(long dataBytes, int sampleRate) => (double)(dataBytes / BytesPerSample) / sampleRate;
}

/// <param name="RiffSize">The RIFF chunk size the header claims (file length − 8 when valid).</param>
/// <param name="DataBytes">The data chunk size the header claims.</param>
public readonly record struct WavHeader(int SampleRate, uint RiffSize, uint DataBytes);
