using System.Buffers.Binary;

namespace AudioStream.RecordingService.Audio.Ogg;

/// <summary>
/// One Ogg page header as RFC 3533 §6 lays it out: "OggS", version 0, header type, granule position, serial number,
/// page sequence number, CRC, the segment count and the lacing values; the packet data follows.
/// </summary>
/// <param name="Length">The whole page: header, lacing values and data.</param>
/// <param name="HeaderLength">27 + the number of lacing values; the data starts here.</param>
public readonly record struct OggPage(
    OggHeaderType HeaderType, long GranulePosition, uint SerialNumber, uint SequenceNumber, int SegmentCount, int HeaderLength, int Length)
{
    public const int MinHeaderSize = 27;

    /// <summary>255 lacing values of 255 bytes each, after the largest header.</summary>
    public const int MaxSize = MinHeaderSize + 255 + (255 * 255);

    public const int MaxSegments = 255;

    public static ReadOnlySpan<byte> CapturePattern => "OggS"u8;

    /// <summary>Offset of the CRC field.</summary>
    private const int CrcOffset = 22;

    /// <summary>
    /// Reads the page at the start of <paramref name="data"/>: false unless the capture pattern, version, lengths and
    /// CRC all hold (a torn or foreign page never passes). Reads nothing past <see cref="MaxSize"/> bytes.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out OggPage page)
    {
        page = default;
        if (data.Length < MinHeaderSize || !data[..4].SequenceEqual(CapturePattern) || data[4] != 0)
        {
            return false;
        }
        int segments = data[26];
        var headerLength = MinHeaderSize + segments;
        if (data.Length < headerLength)
        {
            return false;
        }
        var bodyLength = 0;
        foreach (var lacing in data.Slice(MinHeaderSize, segments))
        {
            bodyLength += lacing;
        }
        var length = headerLength + bodyLength;
        if (data.Length < length)
        {
            return false;
        }
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(data[CrcOffset..]);
        if (ComputeCrc(data[..length]) != crc)
        {
            return false;
        }
        page = new OggPage(
            (OggHeaderType)data[5],
            BinaryPrimitives.ReadInt64LittleEndian(data[6..]),
            BinaryPrimitives.ReadUInt32LittleEndian(data[14..]),
            BinaryPrimitives.ReadUInt32LittleEndian(data[18..]),
            segments,
            headerLength,
            length);
        return true;
    }

    /// <summary>
    /// Writes a page header in front of data already laced: fills <paramref name="page"/>'s first 27 bytes (the lacing
    /// values and data must already follow) and its CRC. <paramref name="page"/> is exactly the whole page.
    /// </summary>
    public static void WriteHeader(Span<byte> page, OggHeaderType headerType, long granulePosition, uint serialNumber, uint sequenceNumber, int segmentCount)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(segmentCount, MaxSegments);
        CapturePattern.CopyTo(page);
        page[4] = 0;
        page[5] = (byte)headerType;
        BinaryPrimitives.WriteInt64LittleEndian(page[6..], granulePosition);
        BinaryPrimitives.WriteUInt32LittleEndian(page[14..], serialNumber);
        BinaryPrimitives.WriteUInt32LittleEndian(page[18..], sequenceNumber);
        page[26] = (byte)segmentCount;
        BinaryPrimitives.WriteUInt32LittleEndian(page[CrcOffset..], ComputeCrc(page));
    }

    /// <summary>Changes a whole page's header type and granule position in place, with its CRC (repair marks or unmarks the last page).</summary>
    public static void Rewrite(Span<byte> page, OggHeaderType headerType, long granulePosition)
    {
        page[5] = (byte)headerType;
        BinaryPrimitives.WriteInt64LittleEndian(page[6..], granulePosition);
        BinaryPrimitives.WriteUInt32LittleEndian(page[CrcOffset..], ComputeCrc(page));
    }

    /// <summary>The lacing values of one packet (RFC 3533 §5): 255 for every full 255 bytes, then the remainder (0 included).</summary>
    public static int LacingValuesFor(int packetLength) => (packetLength / 255) + 1;

    /// <summary>The page's data: <paramref name="page"/> holds at least the whole page.</summary>
    public ReadOnlySpan<byte> Body(ReadOnlySpan<byte> page) => page[HeaderLength..Length];

    public ReadOnlySpan<byte> LacingValues(ReadOnlySpan<byte> page) => page[MinHeaderSize..HeaderLength];

    private static uint ComputeCrc(ReadOnlySpan<byte> page)
    {
        // The CRC covers the page with its own field read as zero.
        var crc = OggCrc.Compute(page[..CrcOffset]);
        crc = OggCrc.Compute([0, 0, 0, 0], crc);
        return OggCrc.Compute(page[(CrcOffset + 4)..], crc);
    }
}
