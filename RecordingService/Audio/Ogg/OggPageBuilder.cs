namespace AudioStream.RecordingService.Audio.Ogg;

/// <summary>
/// Gathers whole packets into one Ogg page (RFC 3533 §5: each packet laced as 255-byte segments and a shorter last
/// one) and writes the page out with its header and CRC. Packets never continue onto a next page, so every page on
/// disk ends with complete packets: whatever a crash leaves, the pages before it decode.
/// </summary>
public sealed class OggPageBuilder
{
    private readonly byte[] _page = new byte[OggPage.MaxSize];
    private readonly byte[] _lacing = new byte[OggPage.MaxSegments];
    private readonly byte[] _body = new byte[OggPage.MaxSegments * 255];
    private int _segments;
    private int _bodyLength;

    public int PacketCount { get; private set; }

    public bool IsEmpty => PacketCount == 0;

    /// <summary>Whether a packet of this length still fits on the page.</summary>
    public bool CanAdd(int packetLength) =>
        _segments + OggPage.LacingValuesFor(packetLength) <= OggPage.MaxSegments && _bodyLength + packetLength <= _body.Length;

    public void Add(ReadOnlySpan<byte> packet)
    {
        if (!CanAdd(packet.Length))
        {
            throw new InvalidOperationException("The packet does not fit on this page; build the page first.");
        }
        var remaining = packet.Length;
        while (remaining >= 255)
        {
            _lacing[_segments++] = 255;
            remaining -= 255;
        }
        _lacing[_segments++] = (byte)remaining;
        packet.CopyTo(_body.AsSpan(_bodyLength));
        _bodyLength += packet.Length;
        PacketCount++;
    }

    /// <summary>The finished page (valid until the next call); the builder is empty again afterwards.</summary>
    public ReadOnlySpan<byte> Build(OggHeaderType headerType, long granulePosition, uint serialNumber, uint sequenceNumber)
    {
        var headerLength = OggPage.MinHeaderSize + _segments;
        _lacing.AsSpan(0, _segments).CopyTo(_page.AsSpan(OggPage.MinHeaderSize));
        _body.AsSpan(0, _bodyLength).CopyTo(_page.AsSpan(headerLength));
        var whole = _page.AsSpan(0, headerLength + _bodyLength);
        OggPage.WriteHeader(whole, headerType, granulePosition, serialNumber, sequenceNumber, _segments);
        _segments = 0;
        _bodyLength = 0;
        PacketCount = 0;
        return whole;
    }
}
