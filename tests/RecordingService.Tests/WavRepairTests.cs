using AudioStream.RecordingService.Audio;

namespace AudioStream.RecordingService.Tests;

public sealed class WavRepairTests : IDisposable
{
    private const int Rate = WavFormat.DefaultSampleRate;
    private const int Chunk = 960;
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(0.02)]
    [InlineData(0.5)]
    [InlineData(1.01)]
    [InlineData(3.7)]
    public void A_writer_abandoned_mid_recording_is_repaired_to_a_valid_wav_with_the_audio_on_disk(double seconds)
    {
        var path = _folder.File("crash.wav");
        var written = WriteAndAbandon(path, (long)(seconds * Rate));

        var repaired = WavRepair.Repair(path);

        var header = WavRecordingWriterTests.ReadHeader(path);
        Assert.Equal((uint)(new FileInfo(path).Length - 8), header.RiffSize);
        Assert.Equal((uint)(new FileInfo(path).Length - WavFormat.HeaderSize), header.DataBytes);
        // Each chunk went to the file when it arrived: a killed process loses none of it, only the header was behind.
        Assert.Equal(written, repaired.Samples);
        Assert.Equal((double)written / Rate, repaired.DurationSeconds, 6);
        var samples = Pcm.ReadSamples(path);
        Assert.Equal(Pcm.RampValue(written - 1), samples[^1]);
    }

    [Fact]
    public void A_half_written_sample_at_the_end_is_cut_off()
    {
        var path = _folder.File("torn.wav");
        var written = WriteAndAbandon(path, Rate);
        using (var stream = new FileStream(path, FileMode.Append))
        {
            stream.WriteByte(0x7f); // a torn write
        }

        var repaired = WavRepair.Repair(path);

        Assert.True(repaired.Changed);
        Assert.Equal(written, repaired.Samples);
        Assert.Equal(WavFormat.HeaderSize + written * 2, new FileInfo(path).Length);
    }

    [Fact]
    public void A_file_that_crashed_before_its_header_becomes_an_empty_recording()
    {
        var path = _folder.File("empty.wav");
        File.WriteAllBytes(path, []);

        var repaired = WavRepair.Repair(path);

        Assert.Equal(0, repaired.Samples);
        Assert.Equal(0u, WavRecordingWriterTests.ReadHeader(path).DataBytes);
    }

    [Fact]
    public void A_finished_recording_is_left_as_it_is()
    {
        var path = _folder.File("done.wav");
        using (var writer = WavRecordingWriter.Create(path))
        {
            writer.Write(0, Pcm.Ramp(0, Chunk * 10));
            writer.Complete();
        }
        var before = File.ReadAllBytes(path);

        var repaired = WavRepair.Repair(path);

        Assert.False(repaired.Changed);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void Something_that_is_not_a_recording_is_refused()
    {
        var path = _folder.File("other.wav");
        File.WriteAllBytes(path, [.. "not a wav file at all, but long enough to have a header"u8]);

        Assert.Throws<InvalidDataException>(() => WavRepair.Repair(path));
    }

    [Fact]
    public void A_repaired_recording_can_be_appended_to_with_the_gap_filled()
    {
        var path = _folder.File("resume.wav");
        var written = WriteAndAbandon(path, Rate / 2);

        // The service restarts 2 s later on the stream's timeline and takes the stream up again.
        using (var writer = WavRecordingWriter.Append(path))
        {
            var resumeAt = written + 2 * Rate;
            writer.Write(resumeAt, Pcm.Ramp(resumeAt, Chunk));
            writer.Complete();
        }

        var samples = Pcm.ReadSamples(path);
        Assert.Equal(written + 2 * Rate + Chunk, samples.Length);
        Assert.Equal(Pcm.RampValue(written - 1), samples[written - 1]);
        Assert.Equal(0, samples[written]);
        Assert.Equal(Pcm.RampValue(written + 2 * Rate), samples[written + 2 * Rate]);
    }

    [Fact]
    public void The_audio_a_crash_can_take_is_bounded_by_the_sync_interval_even_if_the_file_tail_is_lost()
    {
        // Worst case beyond a process crash (power loss): only what the last sync flushed is certain. Cut the file back
        // to what its header claimed at each possible crash point and measure what is missing.
        var worst = 0L;
        for (var crashAfter = Chunk; crashAfter <= 3 * Rate; crashAfter += 7 * Chunk)
        {
            var path = _folder.File($"power-{crashAfter}.wav");
            WriteAndAbandon(path, crashAfter);
            var claimed = WavRecordingWriterTests.ReadHeader(path).DataBytes;
            using (var stream = new FileStream(path, FileMode.Open))
            {
                stream.SetLength(WavFormat.HeaderSize + claimed);
            }
            var repaired = WavRepair.Repair(path);
            worst = Math.Max(worst, crashAfter - repaired.Samples);
        }

        Assert.True(worst < Rate, $"up to {worst} samples lost");
    }

    /// <summary>Writes a ramp in 20 ms chunks and drops the writer without completing it, as a killed process would.</summary>
    private static int WriteAndAbandon(string path, long samples)
    {
        var writer = WavRecordingWriter.Create(path);
        var offset = 0;
        while (offset < samples)
        {
            var size = (int)Math.Min(Chunk, samples - offset);
            writer.Write(offset, Pcm.Ramp(offset, size));
            offset += size;
        }
        writer.Dispose(); // closes the handle, no final sync: the header stays where the last periodic sync left it
        return offset;
    }
}
