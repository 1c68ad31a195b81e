using AudioStream.RecordingService.Audio.Ogg;

namespace AudioStream.RecordingService.Audio.Opus;

/// <summary>
/// Makes an Ogg Opus recording left unfinished by a crash whole again: the file is cut back to its last page whose
/// CRC holds (a page torn by a power loss, and anything after it, goes), and, for a recording that ends there, that
/// page is marked end-of-stream. Pages are only ever written whole and in order, so everything before survives.
/// </summary>
public static class OggOpusRepair
{
    /// <param name="final">
    /// True: the recording ends here (the last page gets end-of-stream). False: a writer goes on (an end-of-stream mark
    /// left by a crash between the last write and the database is taken off again, with the untrimmed granule).
    /// </param>
    /// <exception cref="InvalidDataException">The file is not an Ogg Opus recording this service wrote.</exception>
    public static OggOpusRepairResult Repair(string path, bool final)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        var reader = new OggPageReader(handle);
        if (!reader.TryReadNext(out var first, out var firstBytes)
            || (first.HeaderType & OggHeaderType.BeginningOfStream) == 0
            || !OpusHead.TryRead(first.Body(firstBytes), out var head))
        {
            Span<byte> start = stackalloc byte[4];
            var read = RandomAccess.Read(handle, start, 0);
            if (reader.Length >= OggPage.MaxSize || !OggPage.CapturePattern[..read].SequenceEqual(start[..read]))
            {
                throw new InvalidDataException($"{Path.GetFileName(path)} is not a recording this service wrote.");
            }
            // The crash came before the headers were whole: an empty recording, as a fresh writer would begin it.
            RandomAccess.SetLength(handle, 0);
            handle.Dispose();
            File.Delete(path);
            OggOpusWriter.Create(path).Complete();
            return Repair(path, final) with { Changed = true };
        }
        var serial = first.SerialNumber;
        if (!reader.TryReadNext(out var tags, out var tagsBytes) || tags.SerialNumber != serial || !OpusTags.IsTags(tags.Body(tagsBytes)))
        {
            throw new InvalidDataException($"{Path.GetFileName(path)} has no Opus comment header.");
        }

        long lastGranule = 0, previousGranule = 0, lastPageStart = -1;
        var lastSequence = tags.SequenceNumber;
        var lastType = OggHeaderType.None;
        var lastPageStartAt = reader.Position;
        while (reader.TryReadNext(out var page, out _) && page.SerialNumber == serial)
        {
            previousGranule = lastGranule;
            lastGranule = page.GranulePosition;
            lastSequence = page.SequenceNumber;
            lastType = page.HeaderType;
            lastPageStart = lastPageStartAt;
            lastPageStartAt = reader.Position;
        }
        var end = lastPageStartAt;

        var changed = false;
        if (reader.Length != end)
        {
            RandomAccess.SetLength(handle, end);
            changed = true;
        }
        var ended = (lastType & OggHeaderType.EndOfStream) != 0;
        if (lastPageStart >= 0 && ended != final)
        {
            var bytes = new byte[end - lastPageStart];
            RandomAccess.Read(handle, bytes, lastPageStart);
            OggPage.TryRead(bytes, out var last);
            if (!final)
            {
                // The end page's granule may be trimmed; a page in the middle counts every sample of its packets.
                lastGranule = previousGranule + PacketSamples(last, bytes);
            }
            OggPage.Rewrite(bytes, final ? lastType | OggHeaderType.EndOfStream : lastType & ~OggHeaderType.EndOfStream, lastGranule);
            RandomAccess.Write(handle, bytes, lastPageStart);
            changed = true;
        }
        if (changed)
        {
            RandomAccess.FlushToDisk(handle);
        }
        return new OggOpusRepairResult(head.PreSkip, serial, lastGranule, lastSequence + 1, end, changed);
    }

    private static long PacketSamples(OggPage page, ReadOnlySpan<byte> bytes)
    {
        long samples = 0;
        var body = page.Body(bytes);
        var at = 0;
        var packetStart = 0;
        foreach (var lacing in page.LacingValues(bytes))
        {
            at += lacing;
            if (lacing < 255)
            {
                samples += OpusPacket.Samples(body[packetStart..at]);
                packetStart = at;
            }
        }
        return samples;
    }
}
