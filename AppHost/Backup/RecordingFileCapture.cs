using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace AudioStream.AppHost.Backup;

/// <summary>
/// How much of a recording file is whole right now, so a backup never copies a half-written tail. Finished files are
/// copied as they are. A file being written is copied up to its last synced point:
/// <list type="bullet">
/// <item>WAV: the end its header's data chunk size claims. RecordingService rewrites that size and flushes the file
/// every second, after the audio it counts is on disk; samples appended since are left out.</item>
/// <item>Ogg (Opus): the end of the last complete page. Pages are self-delimiting (RFC 3533 §6: 27-byte header, segment
/// table, body) and never rewritten, so every whole page is final; the file is finished once a page carries end-of-stream.</item>
/// <item>Anything else (waveform JSON, written by rename): all of it.</item>
/// </list>
/// </summary>
internal static class RecordingFileCapture
{
    /// <summary>A file touched this recently counts as being written even if its sizes agree (the writer syncs every second).</summary>
    public static readonly TimeSpan RecentWrite = TimeSpan.FromSeconds(3);

    private const int OggPageHeaderSize = 27;
    private const byte OggEndOfStream = 0x04;

    public static FileCapture Measure(SafeFileHandle file, DateTimeOffset lastWrite, DateTimeOffset now)
    {
        var length = RandomAccess.GetLength(file);
        Span<byte> start = stackalloc byte[12];
        var read = RandomAccess.Read(file, start, 0);
        if (read >= 12 && start[..4].SequenceEqual("RIFF"u8) && start[8..12].SequenceEqual("WAVE"u8))
        {
            var synced = WavSyncedLength(file, length);
            return new FileCapture(synced, length, synced != length || now - lastWrite < RecentWrite);
        }
        if (read >= 4 && start[..4].SequenceEqual("OggS"u8))
        {
            var (synced, ended) = OggCompletePages(file, length);
            return new FileCapture(synced, length, !ended || synced != length);
        }
        return new FileCapture(length, length, InProgress: false);
    }

    /// <summary>The end of the data chunk as the header states it (RIFF chunks from offset 12), never past the file's end.</summary>
    private static long WavSyncedLength(SafeFileHandle file, long length)
    {
        Span<byte> chunk = stackalloc byte[8];
        long position = 12;
        while (position + 8 <= length && RandomAccess.Read(file, chunk, position) == 8)
        {
            var size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
            var body = position + 8;
            if (chunk[..4].SequenceEqual("data"u8))
            {
                return Math.Min(length, body + size);
            }
            position = body + size + (size & 1); // chunks are padded to even sizes
        }
        // No data chunk yet: only what precedes it is whole.
        return Math.Min(position, length);
    }

    private static (long Synced, bool Ended) OggCompletePages(SafeFileHandle file, long length)
    {
        Span<byte> header = stackalloc byte[OggPageHeaderSize + 255];
        long position = 0;
        var ended = false;
        while (position + OggPageHeaderSize <= length)
        {
            var read = RandomAccess.Read(file, header, position);
            if (read < OggPageHeaderSize || !header[..4].SequenceEqual("OggS"u8))
            {
                break;
            }
            int segments = header[26];
            if (read < OggPageHeaderSize + segments)
            {
                break;
            }
            long body = 0;
            foreach (var lacing in header.Slice(OggPageHeaderSize, segments))
            {
                body += lacing;
            }
            var end = position + OggPageHeaderSize + segments + body;
            if (end > length)
            {
                break;
            }
            ended = (header[5] & OggEndOfStream) != 0;
            position = end;
        }
        return (position, ended);
    }
}

/// <param name="Bytes">What the backup copies: the file up to its last synced point.</param>
/// <param name="SourceBytes">The file's length when measured.</param>
/// <param name="InProgress">The file was still being written: the copy is the audio up to its last synced point.</param>
internal readonly record struct FileCapture(long Bytes, long SourceBytes, bool InProgress);
