using System.Buffers.Binary;

namespace AudioStream.MediaService.WebRtc.Rtp;

/// <summary>
/// A view over one RTP packet (RFC 3550 §5.1), parsed without copying. Fields read from the span;
/// <see cref="Payload"/> excludes CSRCs, the header extension and padding.
/// </summary>
public readonly ref struct RtpPacket
{
    public const int FixedHeaderLength = 12;
    public const int MaxPacketLength = 1500 * 8;

    private readonly ReadOnlySpan<byte> _data;

    private RtpPacket(ReadOnlySpan<byte> data, int headerLength, int paddingLength)
    {
        _data = data;
        HeaderLength = headerLength;
        PaddingLength = paddingLength;
    }

    public int Version => _data[0] >> 6;

    public bool HasPadding => (_data[0] & 0x20) != 0;

    public bool HasExtension => (_data[0] & 0x10) != 0;

    public int CsrcCount => _data[0] & 0x0F;

    public bool Marker => (_data[1] & 0x80) != 0;

    public byte PayloadType => (byte)(_data[1] & 0x7F);

    public ushort SequenceNumber => BinaryPrimitives.ReadUInt16BigEndian(_data[2..]);

    public uint Timestamp => BinaryPrimitives.ReadUInt32BigEndian(_data[4..]);

    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_data[8..]);

    /// <summary>Fixed header, CSRC list and header extension.</summary>
    public int HeaderLength { get; }

    public int PaddingLength { get; }

    public ushort ExtensionProfile =>
        HasExtension ? BinaryPrimitives.ReadUInt16BigEndian(_data[(FixedHeaderLength + (4 * CsrcCount))..]) : (ushort)0;

    public ReadOnlySpan<byte> ExtensionData
    {
        get
        {
            if (!HasExtension)
            {
                return default;
            }

            int start = FixedHeaderLength + (4 * CsrcCount) + 4;
            return _data[start..HeaderLength];
        }
    }

    public ReadOnlySpan<byte> Payload => _data[HeaderLength..(_data.Length - PaddingLength)];

    public uint GetCsrc(int index) =>
        (uint)index < (uint)CsrcCount
            ? BinaryPrimitives.ReadUInt32BigEndian(_data[(FixedHeaderLength + (4 * index))..])
            : throw new ArgumentOutOfRangeException(nameof(index));

    public static RtpPacket Parse(ReadOnlySpan<byte> data) =>
        TryParse(data, out var packet, out var error) ? packet : throw new RtpParseException(error);

    public static bool TryParse(ReadOnlySpan<byte> data, out RtpPacket packet) => TryParse(data, out packet, out _);

    public static bool TryParse(ReadOnlySpan<byte> data, out RtpPacket packet, out string error)
    {
        packet = default;
        if (data.Length < FixedHeaderLength)
        {
            error = "shorter than the fixed header";
            return false;
        }

        if (data.Length > MaxPacketLength)
        {
            error = "longer than any datagram carries";
            return false;
        }

        if (data[0] >> 6 != 2)
        {
            error = $"version {data[0] >> 6} is not 2";
            return false;
        }

        int headerLength = FixedHeaderLength + (4 * (data[0] & 0x0F));
        if (headerLength > data.Length)
        {
            error = "CSRC list overruns the packet";
            return false;
        }

        if ((data[0] & 0x10) != 0)
        {
            if (headerLength + 4 > data.Length)
            {
                error = "extension header overruns the packet";
                return false;
            }

            int words = BinaryPrimitives.ReadUInt16BigEndian(data[(headerLength + 2)..]);
            headerLength += 4 + (4 * words);
            if (headerLength > data.Length)
            {
                error = $"extension of {words} words overruns the packet";
                return false;
            }
        }

        int padding = 0;
        if ((data[0] & 0x20) != 0)
        {
            padding = data[^1];
            if (padding == 0 || headerLength + padding > data.Length)
            {
                error = $"padding count {padding} is impossible";
                return false;
            }
        }

        packet = new RtpPacket(data, headerLength, padding);
        error = string.Empty;
        return true;
    }

    /// <summary>Writes a packet. Returns its length. Padding, when non-zero, is added as RFC 3550 §5.1 describes.</summary>
    public static int Write(
        Span<byte> destination,
        in RtpHeader header,
        ReadOnlySpan<byte> payload,
        ReadOnlySpan<uint> csrcs = default,
        ushort extensionProfile = 0,
        ReadOnlySpan<byte> extensionData = default,
        byte paddingLength = 0)
    {
        if (csrcs.Length > 15)
        {
            throw new ArgumentException("At most 15 CSRCs.", nameof(csrcs));
        }

        if ((extensionData.Length & 3) != 0 || extensionData.Length > 4 * ushort.MaxValue)
        {
            throw new ArgumentException("Extension data is whole 32-bit words.", nameof(extensionData));
        }

        bool extension = extensionProfile != 0 || !extensionData.IsEmpty;
        int length = FixedHeaderLength + (4 * csrcs.Length) + (extension ? 4 + extensionData.Length : 0) + payload.Length + paddingLength;
        if (destination.Length < length)
        {
            throw new ArgumentException("Destination too small for the packet.", nameof(destination));
        }

        destination[0] = (byte)(0x80 | (paddingLength > 0 ? 0x20 : 0) | (extension ? 0x10 : 0) | csrcs.Length);
        destination[1] = (byte)((header.Marker ? 0x80 : 0) | (header.PayloadType & 0x7F));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], header.SequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], header.Timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], header.Ssrc);
        int offset = FixedHeaderLength;
        foreach (uint csrc in csrcs)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], csrc);
            offset += 4;
        }

        if (extension)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], extensionProfile);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], (ushort)(extensionData.Length / 4));
            extensionData.CopyTo(destination[(offset + 4)..]);
            offset += 4 + extensionData.Length;
        }

        payload.CopyTo(destination[offset..]);
        offset += payload.Length;
        if (paddingLength > 0)
        {
            destination.Slice(offset, paddingLength - 1).Clear();
            destination[offset + paddingLength - 1] = paddingLength;
            offset += paddingLength;
        }

        return offset;
    }
}
