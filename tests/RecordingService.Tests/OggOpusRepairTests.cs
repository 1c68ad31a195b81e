using AudioStream.RecordingService.Audio.Ogg;
using AudioStream.RecordingService.Audio.Opus;

namespace AudioStream.RecordingService.Tests;

public sealed class OggOpusRepairTests : IDisposable
{
    private const int Rate = 48_000;
    private const int Chunk = 960;
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(0.5)]
    [InlineData(1.01)]
    [InlineData(3.7)]
    public void A_writer_killed_mid_recording_leaves_a_playable_file_up_to_its_last_page(double seconds)
    {
        var path = _folder.File("crash.opus");
        var written = WriteAndAbandon(path, (long)(seconds * Rate));

        // Before any repair: every byte on disk is a whole page, and it decodes.
        var pages = OggOpusWriterTests.ReadPages(path);
        var playable = OggOpusWriterTests.Decode(path);
        // At most the page in progress (a second) and the encoder's lookahead are lost.
        Assert.InRange(playable.Length, Math.Max(0, written - Rate - Chunk - 312), written);
        Assert.Equal(OggHeaderType.None, pages[^1].Page.HeaderType & OggHeaderType.EndOfStream);

        var repaired = OggOpusRepair.Repair(path, final: true);

        Assert.Equal(playable.Length, repaired.Samples);
        Assert.Equal(playable, OggOpusWriterTests.Decode(path));
        if (playable.Length > 0)
        {
            Assert.Equal(OggHeaderType.EndOfStream, OggOpusWriterTests.ReadPages(path)[^1].Page.HeaderType & OggHeaderType.EndOfStream);
            Assert.True(Speech.CorrelationAt(playable, playable.Length - (Rate / 4), Rate / 5) > 0.9, "the last audio kept is in place");
        }
    }

    [Fact]
    public void A_torn_last_page_and_what_follows_are_cut_off()
    {
        var path = _folder.File("torn.opus");
        WriteAndAbandon(path, Rate * 3);
        var whole = new FileInfo(path).Length;
        var before = OggOpusWriterTests.Decode(path);
        using (var stream = new FileStream(path, FileMode.Append))
        {
            stream.Write("OggS"u8);
            stream.Write(new byte[100]); // a page whose write a power loss cut short
        }

        var repaired = OggOpusRepair.Repair(path, final: true);

        Assert.True(repaired.Changed);
        Assert.Equal(whole, new FileInfo(path).Length);
        Assert.Equal(before.Length, repaired.Samples);
    }

    [Fact]
    public void A_last_page_whose_crc_fails_is_dropped_and_the_one_before_ends_the_file()
    {
        var path = _folder.File("bitrot.opus");
        WriteAndAbandon(path, Rate * 3);
        var pages = OggOpusWriterTests.ReadPages(path);
        var lastLength = pages[^1].Page.Length;
        var bytes = File.ReadAllBytes(path);
        bytes[^10] ^= 0xFF;
        File.WriteAllBytes(path, bytes);

        var repaired = OggOpusRepair.Repair(path, final: true);

        Assert.Equal(bytes.Length - lastLength, new FileInfo(path).Length);
        Assert.Equal(pages[^2].Page.GranulePosition - 312, repaired.Samples);
        Assert.Equal(repaired.Samples, OggOpusWriterTests.Decode(path).Length);
    }

    [Fact]
    public void A_finished_recording_is_left_as_it_is()
    {
        var path = _folder.File("done.opus");
        using (var writer = OggOpusWriter.Create(path))
        {
            writer.Write(0, Speech.Pcm(0, Rate));
            writer.Complete();
        }
        var before = File.ReadAllBytes(path);

        var repaired = OggOpusRepair.Repair(path, final: true);

        Assert.False(repaired.Changed);
        Assert.Equal(Rate, repaired.Samples);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_file_that_crashed_before_its_headers_becomes_an_empty_recording()
    {
        var path = _folder.File("empty.opus");
        File.WriteAllBytes(path, "Ogg"u8.ToArray());

        var repaired = OggOpusRepair.Repair(path, final: true);

        Assert.Equal(0, repaired.Samples);
        Assert.Equal(2, OggOpusWriterTests.ReadPages(path).Count);
    }

    [Fact]
    public void A_file_this_service_did_not_write_is_refused_untouched()
    {
        var path = _folder.File("foreign.opus");
        var foreign = "RIFF\0\0\0\0WAVEfmt "u8.ToArray();
        File.WriteAllBytes(path, foreign);

        Assert.Throws<InvalidDataException>(() => OggOpusRepair.Repair(path, final: true));
        Assert.Equal(foreign, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_recording_taken_up_again_keeps_its_timeline_and_ends_as_one_stream()
    {
        var path = _folder.File("resumed.opus");
        WriteAndAbandon(path, Rate * 3);
        using (var writer = OggOpusWriter.Append(path))
        {
            var resumedAt = writer.SamplesWritten;
            Assert.True(resumedAt is > Rate and <= Rate * 3, $"resumed at {resumedAt}");
            // The stream went on meanwhile: the next audio is at 5 s.
            writer.Write(Rate * 5, Speech.Pcm(Rate * 5, Rate * 2));
            writer.Complete();
        }

        var decoded = OggOpusWriterTests.Decode(path);
        var pages = OggOpusWriterTests.ReadPages(path);

        Assert.Equal(Rate * 7, decoded.Length);
        Assert.True(Speech.CorrelationAt(decoded, Rate / 2, Rate / 2) > 0.95, "audio before the crash in place");
        Assert.True(Speech.CorrelationAt(decoded, (Rate * 5) + 4800, Rate) > 0.95, "audio after resuming in place");
        Assert.Equal(Enumerable.Range(0, pages.Count).Select(i => (uint)i), pages.Select(p => p.Page.SequenceNumber));
        Assert.Single(pages, p => (p.Page.HeaderType & OggHeaderType.EndOfStream) != 0);
    }

    [Fact]
    public void A_recording_that_ended_on_disk_but_not_in_the_database_is_opened_again_untrimmed()
    {
        var path = _folder.File("ended.opus");
        using (var writer = OggOpusWriter.Create(path))
        {
            writer.Write(0, Speech.Pcm(0, Rate + 100));
            writer.Complete();
        }

        var open = OggOpusRepair.Repair(path, final: false);

        var last = OggOpusWriterTests.ReadPages(path)[^1].Page;
        Assert.Equal(OggHeaderType.None, last.HeaderType);
        Assert.Equal(0, last.GranulePosition % Chunk); // every packet's samples count again
        Assert.Equal(last.GranulePosition, open.LastGranulePosition);
        Assert.True(open.Samples >= Rate + 100);
    }

    /// <summary>Writes <paramref name="samples"/> of speech in 20 ms chunks, then drops the writer as a kill would.</summary>
    private static long WriteAndAbandon(string path, long samples)
    {
        var clock = new ManualClock();
        using var writer = OggOpusWriter.Create(path, time: clock);
        for (long offset = 0; offset < samples; offset += Chunk)
        {
            writer.Write(offset, Speech.Pcm(offset, (int)Math.Min(Chunk, samples - offset)));
            clock.Advance(TimeSpan.FromMilliseconds(20));
        }
        return writer.SamplesWritten;
    }
}
