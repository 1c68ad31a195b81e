using System.Buffers.Binary;

namespace AudioStream.MediaService.Denoising.Audio;

/// <summary>Writes mono 16-bit PCM WAV, clipping to full scale.</summary>
public static class WavWriter
{
    public static void WritePcm16(string path, ReadOnlySpan<float> samples, int sampleRate)
    {
        using var stream = File.Create(path);
        WritePcm16(stream, samples, sampleRate);
    }

    public static void WritePcm16(Stream stream, ReadOnlySpan<float> samples, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(stream);
        const int Channels = 1;
        const int BytesPerSample = 2;
        var dataBytes = (long)samples.Length * BytesPerSample;
        if (dataBytes > uint.MaxValue - 36)
        {
            throw new ArgumentException($"{samples.Length} samples do not fit a RIFF file.", nameof(samples));
        }

        Span<byte> header = stackalloc byte[44];
        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)(36 + dataBytes));
        "WAVE"u8.CopyTo(header[8..]);
        "fmt "u8.CopyTo(header[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(header[20..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(header[22..], Channels);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(header[28..], (uint)(sampleRate * Channels * BytesPerSample));
        BinaryPrimitives.WriteUInt16LittleEndian(header[32..], Channels * BytesPerSample);
        BinaryPrimitives.WriteUInt16LittleEndian(header[34..], 16);
        "data"u8.CopyTo(header[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[40..], (uint)dataBytes);
        stream.Write(header);

        var block = new byte[8192];
        var filled = 0;
        foreach (var sample in samples)
        {
            var value = float.IsFinite(sample) ? Math.Clamp(sample, -1f, 1f) : 0f;
            BinaryPrimitives.WriteInt16LittleEndian(block.AsSpan(filled), (short)Math.Clamp(MathF.Round(value * 32767f), -32768f, 32767f));
            filled += 2;
            if (filled == block.Length)
            {
                stream.Write(block, 0, filled);
                filled = 0;
            }
        }

        stream.Write(block, 0, filled);
    }
}
