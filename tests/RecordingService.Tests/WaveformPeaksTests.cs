using System.Buffers.Binary;
using AudioStream.RecordingService.Audio;

namespace AudioStream.RecordingService.Tests;

public sealed class WaveformPeaksTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Peaks_are_the_lowest_and_highest_sample_of_each_equal_span()
    {
        var path = _folder.File("p.wav");
        var pcm = new byte[48_000 * 2];
        // Second half loud, first half quiet.
        for (int i = 0; i < 48_000; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(pcm.AsSpan(i * 2), (short)(i < 24_000 ? (i % 2 == 0 ? 100 : -100) : (i % 2 == 0 ? 16384 : -16384)));
        }
        using (var writer = WavRecordingWriter.Create(path))
        {
            writer.Write(0, pcm);
            writer.Complete();
        }

        WaveformPeaks peaks;
        using (var reader = new WavRecordingReader(path))
        {
            peaks = WaveformPeaks.From(reader, count: 10);
        }

        Assert.Equal(10, peaks.Count);
        Assert.Equal(20, peaks.Peaks.Length);
        Assert.Equal(48_000, peaks.Samples);
        Assert.Equal(-100 / 32768f, peaks.Peaks[0], 3);
        Assert.Equal(100 / 32768f, peaks.Peaks[1], 3);
        Assert.Equal(-0.5f, peaks.Peaks[18], 3);
        Assert.Equal(0.5f, peaks.Peaks[19], 3);
    }

    [Fact]
    public void A_recording_shorter_than_the_span_count_has_one_span_per_sample()
    {
        var path = _folder.File("short.wav");
        using (var writer = WavRecordingWriter.Create(path))
        {
            writer.Write(0, Pcm.Ramp(0, 5));
            writer.Complete();
        }

        WaveformPeaks peaks;
        using (var reader = new WavRecordingReader(path))
        {
            peaks = WaveformPeaks.From(reader);
        }

        Assert.Equal(5, peaks.Count);
        Assert.Equal(Pcm.RampValue(4) / 32768f, peaks.Peaks[9], 4);
    }
}
