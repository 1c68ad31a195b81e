namespace AudioStream.RecordingService.Audio.Ogg;

/// <summary>
/// Gathers whole packets into one Ogg page (RFC 3533 §5: each packet laced as 255-byte segments and a shorter last
/// one) and writes the page out with its header and CRC. Packets never continue onto a next page, so every page on
/// disk ends with complete packets: whatever a crash leaves, the pages before it decode.
/// </summary>
public sealed class OggPageBuilder
{
    private readonly byte[] page = new byte[OggPage.MaxSize];
    private readonly byte[] lacing = new byte[OggPage.MaxSegments];
    private readonly byte[] body = new byte[OggPage.MaxSegments * 255];
    private int segments;
    private int bodyLength;

    public int PacketCount { get; private set; }

    public bool IsEmpty => PacketCount == 0;

    /// <summary>Whether a packet of this length still fits on the page.</summary>
    public bool CanAdd(int packetLength) =>
        segments + OggPage.LacingValuesFor(packetLength) <= OggPage.MaxSegments && bodyLength + packetLength <= body.Length;

    public void Add(ReadOnlySpan<byte> packet)
    {
        if (!CanAdd(packet.Length))
        {
            throw new InvalidOperationException("The packet does not fit on this page; build the page first.");
        }
        var remaining = packet.Length;
        while (remaining >= 255)
        {
            lacing[segments++] = 255;
            remaining -= 255;
        }
        lacing[segments++] = (byte)remaining;
        packet.CopyTo(body.AsSpan(bodyLength));
        bodyLength += packet.Length;
        PacketCount++;
    }

    /// <summary>The finished page (valid until the next call); the builder is empty again afterwards.</summary>
    public ReadOnlySpan<byte> Build(OggHeaderType headerType, long granulePosition, uint serialNumber, uint sequenceNumber)
    {
        var headerLength = OggPage.MinHeaderSize + segments;
        lacing.AsSpan(0, segments).CopyTo(page.AsSpan(OggPage.MinHeaderSize));
        body.AsSpan(0, bodyLength).CopyTo(page.AsSpan(headerLength));
        var whole = page.AsSpan(0, headerLength + bodyLength);
        OggPage.WriteHeader(whole, headerType, granulePosition, serialNumber, sequenceNumber, segments);
        segments = 0;
        bodyLength = 0;
        PacketCount = 0;
        return whole;
    }
}
