using System.Buffers;

namespace AudioStream.RecordingService.Audio;

/// <summary>
/// A recording's waveform for drawing: the track cut into <see cref="Count"/> equal spans, each reduced to its
/// lowest and highest sample (−1 … 1). Computed once when a recording ends and cached beside the audio.
/// </summary>
/// <param name="Peaks">min, max, min, max … (<see cref="Count"/> pairs).</param>
public sealed record WaveformPeaks(int SampleRate, long Samples, int Count, float[] Peaks)
{
    public const int DefaultCount = 1000;

    /// <summary>Reads the track from its start to its end (decoding it when compressed).</summary>
    public static WaveformPeaks From(IRecordingReader reader, int count = DefaultCount)
    {
        var samples = reader.Samples;
        var spans = (int)Math.Min(count, samples);
        var peaks = new float[spans * 2];
        var buffer = ArrayPool<short>.Shared.Rent(32 * 1024);
        try
        {
            long sample = 0;
            var span = 0;
            var spanEnd = spans == 0 ? 0 : SpanEnd(0, samples, spans);
            short min = short.MaxValue, max = short.MinValue;
            while (sample < samples && span < spans)
            {
                var read = reader.Read(buffer.AsSpan(0, (int)Math.Min(buffer.Length, samples - sample)));
                if (read == 0)
                {
                    break;
                }
                foreach (var value in buffer.AsSpan(0, read))
                {
                    min = Math.Min(min, value);
                    max = Math.Max(max, value);
                    if (++sample == spanEnd)
                    {
                        peaks[span * 2] = MathF.Round(min / 32768f, 4);
                        peaks[(span * 2) + 1] = MathF.Round(max / 32768f, 4);
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
            ArrayPool<short>.Shared.Return(buffer);
        }
        return new WaveformPeaks(reader.SampleRate, samples, spans, peaks);
    }

    private static long SpanEnd(int span, long samples, int spans) => (span + 1) * samples / spans;
}
