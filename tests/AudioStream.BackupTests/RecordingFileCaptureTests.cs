using System.Buffers.Binary;
using AudioStream.AppHost.Backup;

namespace AudioStream.BackupTests;

/// <summary>How much of a recording file a backup takes: whole files whole, files being written up to their last synced point.</summary>
public sealed class RecordingFileCaptureTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("audiostream-capture-").FullName;

    [Fact]
    public void A_wav_being_written_is_captured_up_to_the_size_its_header_states()
    {
        // The header was last synced at 9 600 bytes of audio; 1 000 more have been appended since.
        var path = Write("live.wav", [.. WavHeader(dataBytes: 9_600), .. new byte[10_600]]);

        var capture = Measure(path, lastWrite: Now);

        Assert.Equal(new FileCapture(44 + 9_600, 44 + 10_600, InProgress: true), capture);
    }

    [Fact]
    public void A_finished_wav_is_captured_whole()
    {
        var path = Write("done.wav", [.. WavHeader(dataBytes: 9_600), .. new byte[9_600]]);

        Assert.Equal(new FileCapture(44 + 9_600, 44 + 9_600, InProgress: false), Measure(path, lastWrite: Now.AddMinutes(-1)));
    }

    [Fact]
    public void A_wav_whose_sizes_agree_but_that_was_written_a_moment_ago_counts_as_being_written()
    {
        var path = Write("just-synced.wav", [.. WavHeader(dataBytes: 9_600), .. new byte[9_600]]);

        Assert.True(Measure(path, lastWrite: Now.AddSeconds(-1)).InProgress);
    }

    [Fact]
    public void An_ogg_file_is_captured_up_to_its_last_complete_page()
    {
        byte[] pages = [.. OggPage(flags: 0x02, body: 19), .. OggPage(flags: 0, body: 300), .. OggPage(flags: 0, body: 40)];
        var half = OggPage(flags: 0, body: 500)[..200];
        var path = Write("live.opus", [.. pages, .. half]);

        Assert.Equal(new FileCapture(pages.Length, pages.Length + 200, InProgress: true), Measure(path, lastWrite: Now));
    }

    [Fact]
    public void An_ogg_file_that_ended_its_stream_is_finished()
    {
        byte[] pages = [.. OggPage(flags: 0x02, body: 19), .. OggPage(flags: 0x04, body: 300)];
        var path = Write("done.opus", pages);

        Assert.Equal(new FileCapture(pages.Length, pages.Length, InProgress: false), Measure(path, lastWrite: Now));
    }

    [Fact]
    public void Any_other_file_is_captured_whole()
    {
        var path = Write("peaks.json", "{\"peaks\":[]}"u8.ToArray());

        Assert.Equal(new FileCapture(12, 12, InProgress: false), Measure(path, lastWrite: Now));
    }

    private string Write(string name, byte[] contents)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, contents);
        return path;
    }

    private static FileCapture Measure(string path, DateTimeOffset lastWrite)
    {
        using var handle = File.OpenHandle(path);
        return RecordingFileCapture.Measure(handle, lastWrite, Now);
    }

    private static byte[] WavHeader(uint dataBytes)
    {
        var header = new byte[44];
        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), 36 + dataBytes);
        "WAVEfmt "u8.CopyTo(header.AsSpan(8));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), 16);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(20), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(22), 1);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(24), 48_000);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(28), 96_000);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(32), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(34), 16);
        "data"u8.CopyTo(header.AsSpan(36));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(40), dataBytes);
        return header;
    }

    /// <summary>An Ogg page (RFC 3533 §6) with one packet of <paramref name="body"/> bytes; the CRC is not checked when measuring.</summary>
    private static byte[] OggPage(byte flags, int body)
    {
        var lacing = Enumerable.Repeat((byte)255, body / 255).Append((byte)(body % 255)).ToArray();
        var page = new byte[27 + lacing.Length + body];
        "OggS"u8.CopyTo(page);
        page[5] = flags;
        page[26] = (byte)lacing.Length;
        lacing.CopyTo(page, 27);
        return page;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
