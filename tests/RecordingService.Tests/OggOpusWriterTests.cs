using AudioStream.RecordingService.Audio;
using AudioStream.RecordingService.Audio.Ogg;
using AudioStream.RecordingService.Audio.Opus;

namespace AudioStream.RecordingService.Tests;

public sealed class OggOpusWriterTests : IDisposable
{
    private const int Rate = 48_000;
    private const int Chunk = 960; // 20 ms, as MediaService sends
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_completed_recording_decodes_to_exactly_the_samples_written_sample_aligned()
    {
        var path = _folder.File("a.opus");
        const int Samples = (Rate * 3) + 123; // not a whole number of frames
        using (var writer = OggOpusWriter.Create(path))
        {
            for (long offset = 0; offset < Samples; offset += Chunk)
            {
                writer.Write(offset, Speech.Pcm(offset, (int)Math.Min(Chunk, Samples - offset)));
            }
            Assert.Equal(Samples, writer.SamplesWritten);
            writer.Complete();
        }

        var decoded = Decode(path);

        Assert.Equal(Samples, decoded.Length);
        // Lossy, but in place: of all lags within a frame, the best fit is within the codec's filter phase (a few
        // samples, under 0.1 ms) of lag 0, so neither the pre-skip nor a frame is miscounted.
        var best = Speech.BestLag(decoded, Rate / 2, Rate * 2, maxLag: Chunk);
        Assert.InRange(best, -4, 4);
        var aligned = Speech.CorrelationAt(decoded, Rate / 2, Rate * 2, best);
        Assert.True(aligned > 0.95, $"decoded vs written: r = {aligned:F3} at lag {best}");
        // The end is there too (the encoder's lookahead was flushed).
        Assert.True(Speech.CorrelationAt(decoded, Samples - 4800, 4800) > 0.9);
    }

    [Fact]
    public void The_file_is_rfc_7845_ogg_opus_with_a_page_at_most_every_second()
    {
        var path = _folder.File("b.opus");
        using (var writer = OggOpusWriter.Create(path, time: new ManualClock()))
        {
            for (long offset = 0; offset < Rate * 5; offset += Chunk)
            {
                writer.Write(offset, Speech.Pcm(offset, Chunk));
            }
            writer.Complete();
        }

        var pages = ReadPages(path);

        Assert.True(OpusHead.TryRead(pages[0].Body, out var head));
        Assert.Equal(1, head.Channels);
        Assert.Equal(312, head.PreSkip); // libopus' lookahead at 48 kHz
        Assert.Equal(OggHeaderType.BeginningOfStream, pages[0].Page.HeaderType);
        Assert.Equal(1, pages[0].Page.SegmentCount); // RFC 7845 §3: the ID header alone on the first page
        Assert.True(OpusTags.IsTags(pages[1].Body));
        Assert.All(pages, p => Assert.Equal(pages[0].Page.SerialNumber, p.Page.SerialNumber));
        Assert.Equal(Enumerable.Range(0, pages.Count).Select(i => (uint)i), pages.Select(p => p.Page.SequenceNumber));
        Assert.Equal(OggHeaderType.EndOfStream, pages[^1].Page.HeaderType);
        Assert.All(pages.Skip(1).SkipLast(1), p => Assert.Equal(OggHeaderType.None, p.Page.HeaderType));
        var granules = pages.Skip(2).Select(p => p.Page.GranulePosition).ToList();
        Assert.Equal(Rate * 5 + 312, granules[^1]); // end trimming: exactly the input plus the pre-skip
        Assert.All(granules.Zip(granules.Skip(1)), pair => Assert.InRange(pair.Second - pair.First, 1, Rate));
    }

    [Fact]
    public void A_minute_of_speech_takes_an_eighth_of_the_wav_or_less()
    {
        var path = _folder.File("c.opus");
        using (var writer = OggOpusWriter.Create(path))
        {
            for (long offset = 0; offset < Rate * 60; offset += Chunk)
            {
                writer.Write(offset, Speech.Pcm(offset, Chunk));
            }
            writer.Complete();
        }

        var wavBytes = WavFormat.HeaderSize + (Rate * 60 * 2);
        var opusBytes = new FileInfo(path).Length;
        // 32 kbit/s is 240 kB a minute; Ogg adds a page header a second.
        Assert.True(opusBytes * 8 <= wavBytes, $"{opusBytes} bytes against {wavBytes} for the WAV");
        Assert.InRange(opusBytes, 200_000, 280_000);
    }

    [Fact]
    public void A_gap_in_the_timeline_is_filled_with_silence_so_later_audio_stays_in_place()
    {
        var path = _folder.File("d.opus");
        using (var writer = OggOpusWriter.Create(path))
        {
            writer.Write(0, Speech.Pcm(0, Rate / 2));
            // A lost subscription resumes 1.5 s later on the stream's timeline.
            writer.Write(Rate * 2, Speech.Pcm(Rate * 2, Rate));
            Assert.Equal(Rate * 3 / 2, writer.SilenceSamples);
            writer.Complete();
        }

        var decoded = Decode(path);

        Assert.Equal(Rate * 3, decoded.Length);
        Assert.True(decoded.AsSpan(Rate, Rate / 2).ToArray().All(s => Math.Abs((int)s) < 50), "the gap is silent");
        Assert.True(Speech.CorrelationAt(decoded, (Rate * 2) + 4800, Rate / 2) > 0.95, "audio after the gap is in place");
    }

    [Fact]
    public void Audio_that_overlaps_what_was_written_is_written_once()
    {
        var path = _folder.File("e.opus");
        using (var writer = OggOpusWriter.Create(path))
        {
            writer.Write(0, Speech.Pcm(0, Rate));
            writer.Write(Rate / 2, Speech.Pcm(Rate / 2, Rate)); // half repeated
            writer.Write(0, Speech.Pcm(0, Chunk)); // all repeated
            writer.Complete();
        }

        var decoded = Decode(path);

        Assert.Equal(Rate * 3 / 2, decoded.Length);
        Assert.True(Speech.CorrelationAt(decoded, Rate / 4, Rate) > 0.95);
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
        Assert.ThrowsAny<IOException>(() => OggOpusWriter.Over(handle));
        handle.Dispose();
    }

    internal static short[] Decode(string path)
    {
        using var reader = new OggOpusReader(path);
        var samples = new short[reader.Samples];
        var total = 0;
        int read;
        while ((read = reader.Read(samples.AsSpan(total))) > 0)
        {
            total += read;
        }
        Assert.Equal(samples.Length, total);
        return samples;
    }

    internal static List<(OggPage Page, byte[] Body)> ReadPages(string path)
    {
        using var handle = File.OpenHandle(path);
        var reader = new OggPageReader(handle);
        var pages = new List<(OggPage, byte[])>();
        while (reader.TryReadNext(out var page, out var bytes))
        {
            pages.Add((page, page.Body(bytes).ToArray()));
        }
        Assert.Equal(reader.Length, reader.Position); // every byte belongs to a good page
        return pages;
    }
}
