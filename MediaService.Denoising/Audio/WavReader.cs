using System.Buffers.Binary;
using System.Text;

namespace AudioStream.MediaService.Denoising.Audio;

/// <summary>
/// RIFF/WAVE reader for PCM (8, 16, 24, 32 bit), IEEE float (32, 64 bit) and WAVE_FORMAT_EXTENSIBLE wrapping either.
/// Input may come from users or the network: every malformed file ends in an <see cref="InvalidDataException"/>
/// with a message saying what is wrong, never another exception and never an allocation sized by an untrusted header.
/// </summary>
public static class WavReader
{
    /// <summary>Largest file accepted (1 GiB, about 93 minutes of 48 kHz stereo float).</summary>
    public const long MaxFileBytes = 1L << 30;

    private const ushort FormatPcm = 1;
    private const ushort FormatFloat = 3;
    private const ushort FormatExtensible = 0xFFFE;

    public static WavAudio Read(string path)
    {
        FileStream stream;
        try
        {
            stream = File.OpenRead(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new InvalidDataException($"Cannot open '{path}': {ex.Message}", ex);
        }

        using (stream)
        {
            return Read(stream, path);
        }
    }

    public static WavAudio Read(Stream stream, string name = "input")
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.CanSeek && stream.Length - stream.Position > MaxFileBytes)
        {
            throw new InvalidDataException($"{name}: {stream.Length} bytes is larger than the {MaxFileBytes}-byte limit.");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > MaxFileBytes)
            {
                throw new InvalidDataException($"{name}: larger than the {MaxFileBytes}-byte limit.");
            }

            buffer.Write(chunk, 0, read);
        }

        return Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), name);
    }

    public static WavAudio Parse(ReadOnlySpan<byte> bytes, string name = "input")
    {
        if (bytes.Length < 12)
        {
            throw new InvalidDataException($"{name}: not a WAV file ({bytes.Length} bytes, too short for a RIFF header).");
        }

        if (!bytes[..4].SequenceEqual("RIFF"u8) || !bytes.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            var what = bytes[..4].SequenceEqual("RF64"u8) ? "an RF64 file (not supported)" : "not a RIFF/WAVE file";
            throw new InvalidDataException($"{name}: {what}.");
        }

        Format? format = null;
        var offset = 12;
        while (offset <= bytes.Length - 8)
        {
            var id = bytes.Slice(offset, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(offset + 4, 4));
            var body = offset + 8;
            var remaining = bytes.Length - body;
            if (size > remaining)
            {
                throw new InvalidDataException(id.SequenceEqual("data"u8)
                    ? $"{name}: data chunk declares {size} bytes of audio but only {remaining} follow (truncated file?)."
                    : $"{name}: chunk '{Printable(id)}' declares {size} bytes but only {remaining} remain (truncated or corrupt file).");
            }

            var content = bytes.Slice(body, (int)size);
            if (id.SequenceEqual("fmt "u8))
            {
                format = ParseFormat(content, name);
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (format is null)
                {
                    throw new InvalidDataException($"{name}: data chunk before the fmt chunk.");
                }

                return Decode(format.Value, content);
            }

            // Chunks are word-aligned: an odd size is followed by a pad byte.
            offset = body + (int)size + (int)(size & 1);
        }

        throw new InvalidDataException(format is null
            ? $"{name}: no fmt chunk (truncated or not a WAV file)."
            : $"{name}: no data chunk (truncated file?).");
    }

    private static Format ParseFormat(ReadOnlySpan<byte> chunk, string name)
    {
        if (chunk.Length < 16)
        {
            throw new InvalidDataException($"{name}: fmt chunk is {chunk.Length} bytes, needs at least 16.");
        }

        var tag = BinaryPrimitives.ReadUInt16LittleEndian(chunk);
        var channels = BinaryPrimitives.ReadUInt16LittleEndian(chunk[2..]);
        var sampleRate = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
        var blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(chunk[12..]);
        var bits = BinaryPrimitives.ReadUInt16LittleEndian(chunk[14..]);
        if (tag == FormatExtensible)
        {
            if (chunk.Length < 40)
            {
                throw new InvalidDataException($"{name}: WAVE_FORMAT_EXTENSIBLE fmt chunk is {chunk.Length} bytes, needs 40.");
            }

            // The sub-format GUID starts with the plain format tag.
            tag = BinaryPrimitives.ReadUInt16LittleEndian(chunk[24..]);
        }

        var sampleFormat = tag switch
        {
            FormatPcm when bits is 8 or 16 or 24 or 32 => WavSampleFormat.Pcm,
            FormatFloat when bits is 32 or 64 => WavSampleFormat.IeeeFloat,
            FormatPcm or FormatFloat => throw new InvalidDataException($"{name}: {bits}-bit {(tag == FormatPcm ? "PCM" : "float")} is not supported."),
            _ => throw new InvalidDataException($"{name}: audio format 0x{tag:X4} is not supported (PCM or IEEE float only)."),
        };

        if (channels is < 1 or > 32)
        {
            throw new InvalidDataException($"{name}: {channels} channels is out of range (1 to 32).");
        }

        if (sampleRate is < 1000 or > 768_000)
        {
            throw new InvalidDataException($"{name}: sample rate {sampleRate} Hz is out of range (1 kHz to 768 kHz).");
        }

        if (blockAlign != channels * bits / 8)
        {
            throw new InvalidDataException($"{name}: block align {blockAlign} does not match {channels} channels of {bits} bits.");
        }

        return new Format(sampleFormat, channels, (int)sampleRate, bits, blockAlign);
    }

    private static WavAudio Decode(Format format, ReadOnlySpan<byte> data)
    {
        // A trailing partial frame (a writer cut off mid-frame) is ignored.
        var frames = data.Length / format.BlockAlign;
        var samples = new float[frames * format.Channels];
        var bytesPerSample = format.Bits / 8;
        for (var i = 0; i < samples.Length; i++)
        {
            var s = data.Slice(i * bytesPerSample, bytesPerSample);
            samples[i] = (format.SampleFormat, format.Bits) switch
            {
                (WavSampleFormat.Pcm, 8) => (s[0] - 128) / 128f,
                (WavSampleFormat.Pcm, 16) => BinaryPrimitives.ReadInt16LittleEndian(s) / 32768f,
                (WavSampleFormat.Pcm, 24) => ((s[0] | (s[1] << 8) | ((sbyte)s[2] << 16)) / 8388608f),
                (WavSampleFormat.Pcm, _) => (float)(BinaryPrimitives.ReadInt32LittleEndian(s) / 2147483648.0),
                (_, 32) => BinaryPrimitives.ReadSingleLittleEndian(s),
                _ => (float)BinaryPrimitives.ReadDoubleLittleEndian(s),
            };
        }

        return new WavAudio(format.SampleRate, format.Channels, format.SampleFormat, format.Bits, samples);
    }

    private static string Printable(ReadOnlySpan<byte> id)
    {
        var text = new StringBuilder(4);
        foreach (var b in id)
        {
            text.Append(b is >= 0x20 and < 0x7F ? (char)b : '?');
        }

        return text.ToString();
    }

    private readonly record struct Format(WavSampleFormat SampleFormat, int Channels, int SampleRate, int Bits, int BlockAlign);
}
