using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace AudioStream.RecordingService.Audio;

/// <summary>
/// A recording's waveform for drawing: the track cut into <see cref="Count"/> equal spans, each reduced to its
/// lowest and highest sample (−1 … 1). Computed once when a recording ends and cached beside the WAV.
/// </summary>
/// <param name="Peaks">min, max, min, max … (<see cref="Count"/> pairs).</param>
public sealed record WaveformPeaks(int SampleRate, long Samples, int Count, float[] Peaks)
{
    public const int DefaultCount = 1000;

    public static WaveformPeaks FromFile(string path, int count = DefaultCount)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        Span<byte> header = stackalloc byte[WavFormat.HeaderSize];
        if (RandomAccess.Read(handle, header, 0) != WavFormat.HeaderSize || !WavFormat.TryReadHeader(header, out var wav))
        {
            throw new InvalidDataException($"{Path.GetFileName(path)} is not a recording this service wrote.");
        }
        // The file length, not the header, says how much audio there is: right even for a file repaired later.
        var samples = Math.Max(0, RandomAccess.GetLength(handle) - WavFormat.HeaderSize) / WavFormat.BytesPerSample;
        return Compute(handle, wav.SampleRate, samples, count);
    }

    private static WaveformPeaks Compute(SafeFileHandle handle, int sampleRate, long samples, int count)
    {
        var spans = (int)Math.Min(count, samples);
        var peaks = new float[spans * 2];
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            long sample = 0;
            long fileOffset = WavFormat.HeaderSize;
            int span = 0;
            long spanEnd = spans == 0 ? 0 : SpanEnd(0, samples, spans);
            short min = short.MaxValue, max = short.MinValue;
            while (sample < samples)
            {
                var want = (int)Math.Min(buffer.Length, (samples - sample) * WavFormat.BytesPerSample);
                var read = RandomAccess.Read(handle, buffer.AsSpan(0, want), fileOffset);
                if (read < WavFormat.BytesPerSample)
                {
                    break;
                }
                read &= ~1;
                fileOffset += read;
                for (int i = 0; i < read; i += WavFormat.BytesPerSample, sample++)
                {
                    var value = BinaryPrimitives.ReadInt16LittleEndian(buffer.AsSpan(i));
                    min = Math.Min(min, value);
                    max = Math.Max(max, value);
                    if (sample + 1 == spanEnd)
                    {
                        peaks[span * 2] = MathF.Round(min / 32768f, 4);
                        peaks[span * 2 + 1] = MathF.Round(max / 32768f, 4);
                        min = short.MaxValue;
                        max = short.MinValue;
                        span++;
                        spanEnd = span < spans ? SpanEnd(span, samples, spans) : long.MaxValue;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return new WaveformPeaks(sampleRate, samples, spans, peaks);
    }

    private static long SpanEnd(int span, long samples, int spans) => (span + 1) * samples / spans;
}
