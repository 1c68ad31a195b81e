using AudioStream.RecordingService.Audio;

namespace AudioStream.RecordingService.Tests;

public sealed class WavRecordingWriterTests : IDisposable
{
    private const int Rate = WavFormat.DefaultSampleRate;
    private const int Chunk = 960; // 20 ms, as MediaService sends
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_completed_recording_is_a_valid_48_kHz_mono_16_bit_wav_of_the_audio_written()
    {
        var path = _folder.File("a.wav");
        using (var writer = WavRecordingWriter.Create(path))
        {
            for (long offset = 0; offset < Rate * 2; offset += Chunk)
            {
                writer.Write(offset, Pcm.Ramp(offset, Chunk));
            }
            writer.Complete();
        }

        var header = ReadHeader(path);
        Assert.Equal(Rate, header.SampleRate);
        Assert.Equal((uint)(Rate * 2 * 2), header.DataBytes);
        Assert.Equal((uint)(new FileInfo(path).Length - 8), header.RiffSize);
        var samples = Pcm.ReadSamples(path);
        Assert.Equal(Rate * 2, samples.Length);
        Assert.All(Enumerable.Range(0, samples.Length).Where(i => i % 997 == 0), i => Assert.Equal(Pcm.RampValue(i), samples[i]));
    }

    [Fact]
    public void The_header_is_rewritten_at_least_every_second_of_audio_while_recording()
    {
        var path = _folder.File("b.wav");
        using var writer = WavRecordingWriter.Create(path, time: new ManualClock());
        var behind = new List<long>();
        for (long offset = 0; offset < Rate * 5; offset += Chunk)
        {
            writer.Write(offset, Pcm.Ramp(offset, Chunk));
            // What a reader (or a crash) sees now, through another handle.
            var claimed = ReadHeader(path).DataBytes / 2;
            behind.Add(writer.SamplesWritten - claimed);
        }

        Assert.True(behind.Max() < Rate, $"the header fell {behind.Max()} samples behind");
        Assert.Contains(0L, behind);
    }

    [Fact]
    public void The_header_is_rewritten_after_a_second_of_wall_clock_time_even_when_audio_trickles()
    {
        var path = _folder.File("c.wav");
        var clock = new ManualClock();
        using var writer = WavRecordingWriter.Create(path, time: clock);
        writer.Write(0, Pcm.Ramp(0, Chunk));
        clock.Advance(TimeSpan.FromMilliseconds(1100));
        writer.Write(Chunk, Pcm.Ramp(Chunk, Chunk));

        Assert.Equal((uint)(2 * Chunk * 2), ReadHeader(path).DataBytes);
    }

    [Fact]
    public void A_gap_in_the_timeline_is_filled_with_silence_so_later_audio_stays_in_place()
    {
        var path = _folder.File("d.wav");
        using (var writer = WavRecordingWriter.Create(path))
        {
            writer.Write(0, Pcm.Ramp(0, Chunk));
            // A lost subscription resumes 1.5 s later on the stream's timeline.
            writer.Write(Chunk + Rate * 3 / 2, Pcm.Ramp(Chunk + Rate * 3 / 2, Chunk));
            Assert.Equal(Rate * 3 / 2, writer.SilenceSamples);
            writer.Complete();
        }

        var samples = Pcm.ReadSamples(path);
        Assert.Equal(Chunk * 2 + Rate * 3 / 2, samples.Length);
        Assert.Equal(Pcm.RampValue(Chunk - 1), samples[Chunk - 1]);
        Assert.All(samples.AsSpan(Chunk, Rate * 3 / 2).ToArray(), s => Assert.Equal(0, s));
        Assert.Equal(Pcm.RampValue(Chunk + Rate * 3 / 2), samples[Chunk + Rate * 3 / 2]);
    }

    [Fact]
    public void Audio_that_overlaps_what_was_written_is_written_once()
    {
        var path = _folder.File("e.wav");
        using (var writer = WavRecordingWriter.Create(path))
        {
            writer.Write(0, Pcm.Ramp(0, Chunk));
            writer.Write(Chunk / 2, Pcm.Ramp(Chunk / 2, Chunk)); // half repeated
            writer.Write(0, Pcm.Ramp(0, Chunk)); // all repeated
            writer.Complete();
        }

        var samples = Pcm.ReadSamples(path);
        Assert.Equal(Chunk + Chunk / 2, samples.Length);
        Assert.All(Enumerable.Range(0, samples.Length), i => Assert.Equal(Pcm.RampValue(i), samples[i]));
    }

    [Fact]
    public void A_storage_error_surfaces_as_an_io_exception()
    {
        if (!File.Exists("/dev/full"))
        {
            return;
        }
        // /dev/full answers every write with ENOSPC, as a full disk does.
        var handle = File.OpenHandle("/dev/full", FileMode.Open, FileAccess.Write);
        Assert.ThrowsAny<IOException>(() => WavRecordingWriter.Over(handle, Rate));
        handle.Dispose();
    }

    internal static WavHeader ReadHeader(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var bytes = new byte[WavFormat.HeaderSize];
        stream.ReadExactly(bytes);
        Assert.True(WavFormat.TryReadHeader(bytes, out var header), "not a valid WAV header");
        return header;
    }
}
