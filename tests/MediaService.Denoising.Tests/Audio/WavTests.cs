using System.Buffers.Binary;
using AudioStream.MediaService.Denoising.Audio;

namespace AudioStream.MediaService.Denoising.Tests.Audio;

public sealed class WavTests
{
    [Fact]
    public void Pcm16_round_trips_through_writer_and_reader()
    {
        var samples = Enumerable.Range(0, 1000).Select(i => MathF.Sin(i * 0.05f) * 0.5f).ToArray();
        using var stream = new MemoryStream();
        WavWriter.WritePcm16(stream, samples, 48_000);

        var audio = WavReader.Parse(stream.ToArray());

        Assert.Equal((48_000, 1, WavSampleFormat.Pcm, 16), (audio.SampleRate, audio.Channels, audio.Format, audio.BitsPerSample));
        Assert.Equal(samples.Length, audio.Samples.Length);
        Assert.All(samples.Zip(audio.Samples), p => Assert.Equal(p.First, p.Second, 1e-4));
    }

    [Fact]
    public void Float32_extensible_stereo_is_read()
    {
        var bytes = Build(formatTag: 0xFFFE, channels: 2, rate: 44_100, bits: 32, subFormat: 3,
            data: [0.25f, -0.25f, 1f, 0f]);

        var audio = WavReader.Parse(bytes);

        Assert.Equal(WavSampleFormat.IeeeFloat, audio.Format);
        Assert.Equal(2, audio.Frames);
        Assert.Equal([0.25f, -0.25f, 1f, 0f], audio.Samples);
    }

    [Fact]
    public void Stereo_44k1_is_downmixed_and_resampled_to_48k_keeping_the_tone()
    {
        const int Rate = 44_100;
        var interleaved = new float[Rate * 2];
        for (var i = 0; i < Rate; i++)
        {
            interleaved[2 * i] = interleaved[2 * i + 1] = (float)(0.5 * Math.Sin(2 * Math.PI * (1000L * i % Rate) / Rate));
        }

        var mono = Resampler.ToMono(new WavAudio(Rate, 2, WavSampleFormat.IeeeFloat, 32, interleaved), 48_000);

        Assert.Equal(48_000, mono.Length);
        // Away from the edges the output is the same 1 kHz tone sampled at 48 kHz.
        for (var n = 1000; n < 47_000; n++)
        {
            Assert.Equal(0.5 * Math.Sin(2 * Math.PI * 1000 * n / 48_000.0), mono[n], 2e-3);
        }
    }

    [Fact]
    public void Downsampling_rejects_content_above_the_new_nyquist()
    {
        const int Rate = 96_000;
        // Phase reduced exactly in integers: a float sine of a large argument is itself broadband noise.
        var tone = Enumerable.Range(0, Rate).Select(i => (float)Math.Sin(2 * Math.PI * (30_000L * i % Rate) / Rate)).ToArray();

        var resampled = Resampler.Resample(tone, Rate, 48_000);

        var rms = Math.Sqrt(resampled.Skip(2000).Take(44_000).Average(v => (double)v * v));
        Assert.True(rms < 1e-3, $"30 kHz tone leaked at RMS {rms:E2}");
    }

    public static TheoryData<string, byte[]> BadFiles => new()
    {
        { "empty", [] },
        { "garbage", Enumerable.Range(0, 200).Select(i => (byte)(i * 37)).ToArray() },
        { "header only", Build(1, 1, 48_000, 16, data: [0.1f])[..20] },
        { "truncated data", Build(1, 1, 48_000, 16, data: new float[100])[..100] },
        { "huge declared size", WithDataSize(Build(1, 1, 48_000, 16, data: new float[10]), uint.MaxValue) },
        { "no fmt", "RIFF\u0004\0\0\0WAVE"u8.ToArray() },
        { "unsupported format", Build(0x55, 1, 48_000, 16, data: new float[10]) },
        { "zero channels", Build(1, 0, 48_000, 16, data: new float[10]) },
        { "absurd rate", Build(1, 1, 5, 16, data: new float[10]) },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Malformed_files_give_a_clear_error(string name, byte[] bytes)
    {
        var error = Assert.Throws<InvalidDataException>(() => WavReader.Parse(bytes, name));
        Assert.StartsWith(name + ":", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_bytes_after_a_valid_header_never_throw_anything_but_invalid_data()
    {
        var random = new Random(3);
        var valid = Build(1, 2, 48_000, 16, data: new float[64]);
        for (var trial = 0; trial < 2000; trial++)
        {
            var bytes = (byte[])valid.Clone();
            for (var flips = random.Next(1, 6); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            var cut = bytes.AsSpan(0, random.Next(bytes.Length + 1)).ToArray();
            try
            {
                WavReader.Parse(cut);
            }
            catch (InvalidDataException)
            {
            }
        }
    }

    [Fact]
    public void A_missing_file_gives_a_clear_error() =>
        Assert.Contains("Cannot open", Assert.Throws<InvalidDataException>(() => WavReader.Read("/nonexistent/x.wav")).Message, StringComparison.Ordinal);

    internal static byte[] Build(ushort formatTag, ushort channels, uint rate, ushort bits, float[] data, ushort subFormat = 1)
    {
        var extensible = formatTag == 0xFFFE;
        var fmtSize = extensible ? 40 : 16;
        var bytesPerSample = bits / 8;
        var dataBytes = data.Length * bytesPerSample;
        var bytes = new byte[12 + 8 + fmtSize + 8 + dataBytes];
        var span = bytes.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)(bytes.Length - 8));
        "WAVE"u8.CopyTo(span[8..]);
        "fmt "u8.CopyTo(span[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], (uint)fmtSize);
        BinaryPrimitives.WriteUInt16LittleEndian(span[20..], formatTag);
        BinaryPrimitives.WriteUInt16LittleEndian(span[22..], channels);
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], rate);
        BinaryPrimitives.WriteUInt32LittleEndian(span[28..], (uint)(rate * channels * bytesPerSample));
        BinaryPrimitives.WriteUInt16LittleEndian(span[32..], (ushort)(channels * bytesPerSample));
        BinaryPrimitives.WriteUInt16LittleEndian(span[34..], bits);
        if (extensible)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span[36..], 22);
            BinaryPrimitives.WriteUInt16LittleEndian(span[38..], bits);
            BinaryPrimitives.WriteUInt16LittleEndian(span[44..], subFormat);
        }

        var dataAt = 20 + fmtSize;
        "data"u8.CopyTo(span[dataAt..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[(dataAt + 4)..], (uint)dataBytes);
        for (var i = 0; i < data.Length; i++)
        {
            var at = span[(dataAt + 8 + i * bytesPerSample)..];
            if (bits == 32 && (formatTag == 3 || subFormat == 3))
            {
                BinaryPrimitives.WriteSingleLittleEndian(at, data[i]);
            }
            else
            {
                BinaryPrimitives.WriteInt16LittleEndian(at, (short)(data[i] * 32767));
            }
        }

        return bytes;
    }

    private static byte[] WithDataSize(byte[] bytes, uint size)
    {
        var at = bytes.AsSpan().IndexOf("data"u8);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at + 4), size);
        return bytes;
    }
}
