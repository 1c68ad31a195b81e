using System.Buffers.Binary;
using System.Text;

namespace AudioStream.MediaService.WebRtc.Rtcp;

/// <summary>
/// What a compound RTCP packet says, enough to count and log: SR, RR, SDES CNAME, BYE, generic NACK (RFC 4585 §6.2.1).
/// Other packet types (APP, PLI, REMB, transport-cc) are counted as <see cref="OtherPackets"/>.
/// </summary>
public sealed class RtcpCompound
{
    private const int MaxPackets = 32;

    /// <summary>
    /// Sequence numbers kept from generic NACKs per compound. Each 4-byte FCI can ask for 17, so a large datagram would
    /// otherwise expand ~17 / 4 entries per byte; we do not retransmit, and a real receiver asks for a few at a time.
    /// </summary>
    public const int MaxNacks = 256;

    public List<(uint Ssrc, RtcpSenderInfo Info)> SenderReports { get; } = [];

    public List<(uint ReporterSsrc, RtcpReportBlock Block)> ReportBlocks { get; } = [];

    public int ReceiverReports { get; private set; }

    public List<(uint Ssrc, string Cname)> Cnames { get; } = [];

    public List<uint> Goodbyes { get; } = [];

    /// <summary>Sequence numbers asked for again by generic NACKs, with the media SSRC (the first <see cref="MaxNacks"/>).</summary>
    public List<(uint MediaSsrc, ushort Sequence)> Nacks { get; } = [];

    /// <summary>NACKed sequence numbers beyond <see cref="MaxNacks"/>, counted, not kept.</summary>
    public int NacksOverLimit { get; private set; }

    public int OtherPackets { get; private set; }

    public int PacketCount { get; private set; }

    public static RtcpCompound Parse(ReadOnlySpan<byte> data) =>
        TryParse(data, out var compound, out var error) ? compound : throw new RtcpParseException(error);

    public static bool TryParse(
        ReadOnlySpan<byte> data,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RtcpCompound? compound,
        out string error)
    {
        compound = null;
        var result = new RtcpCompound();
        int offset = 0;
        while (offset < data.Length)
        {
            var rest = data[offset..];
            if (rest.Length < 4)
            {
                error = "truncated RTCP header";
                return false;
            }

            if (rest[0] >> 6 != 2)
            {
                error = "RTCP version is not 2";
                return false;
            }

            int length = 4 * (BinaryPrimitives.ReadUInt16BigEndian(rest[2..]) + 1);
            if (length > rest.Length)
            {
                error = $"RTCP packet of {length} bytes overruns the compound";
                return false;
            }

            if (++result.PacketCount > MaxPackets)
            {
                error = "too many packets in one compound";
                return false;
            }

            var packet = rest[..length];
            int count = packet[0] & 0x1F;
            if ((packet[0] & 0x20) != 0)
            {
                int padding = packet[^1];
                if (padding == 0 || padding > length - 4)
                {
                    error = "impossible RTCP padding";
                    return false;
                }

                packet = packet[..(length - padding)];
            }

            if (!result.ParseOne(packet, count, out error))
            {
                return false;
            }

            offset += length;
        }

        if (result.PacketCount == 0)
        {
            error = "empty RTCP";
            return false;
        }

        compound = result;
        error = string.Empty;
        return true;
    }

    /// <summary>Writes a receiver report with no report blocks plus an SDES CNAME (a minimal valid compound).</summary>
    public static int WriteReceiverReport(Span<byte> destination, uint ssrc, string cname) =>
        WriteReceiverReport(destination, ssrc, cname, []);

    /// <summary>Writes RR (RFC 3550 §6.4.2) with up to 31 report blocks, then SDES CNAME. Returns the compound's length.</summary>
    public static int WriteReceiverReport(Span<byte> destination, uint ssrc, string cname, ReadOnlySpan<RtcpReportBlock> blocks)
    {
        int length = WriteReportHeader(destination, RtcpPacketType.ReceiverReport, ssrc, blocks.Length, 0);
        length += WriteBlocks(destination[length..], blocks);
        return length + WriteCname(destination[length..], ssrc, cname);
    }

    /// <summary>Writes SR (RFC 3550 §6.4.1) with its sender info and up to 31 report blocks, then SDES CNAME.</summary>
    public static int WriteSenderReport(Span<byte> destination, uint ssrc, in RtcpSenderInfo info, string cname, ReadOnlySpan<RtcpReportBlock> blocks = default)
    {
        int length = WriteReportHeader(destination, RtcpPacketType.SenderReport, ssrc, blocks.Length, 20);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], info.NtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], info.RtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], info.PacketCount);
        BinaryPrimitives.WriteUInt32BigEndian(destination[24..], info.OctetCount);
        length += WriteBlocks(destination[length..], blocks);
        return length + WriteCname(destination[length..], ssrc, cname);
    }

    /// <summary>A wall-clock time as a 64-bit NTP timestamp (seconds since 1900 in the high word, fraction in the low).</summary>
    public static ulong ToNtp(DateTimeOffset time)
    {
        var sinceEra = time - new DateTimeOffset(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);
        ulong seconds = (ulong)sinceEra.Ticks / TimeSpan.TicksPerSecond;
        ulong fraction = ((ulong)sinceEra.Ticks % TimeSpan.TicksPerSecond * (1UL << 32)) / TimeSpan.TicksPerSecond;
        return (seconds << 32) | fraction;
    }

    private static int WriteReportHeader(Span<byte> destination, RtcpPacketType type, uint ssrc, int blockCount, int senderInfoLength)
    {
        if (blockCount > 31)
        {
            throw new ArgumentOutOfRangeException(nameof(blockCount), "At most 31 report blocks.");
        }

        int length = 8 + senderInfoLength;
        int words = ((length + (24 * blockCount)) / 4) - 1;
        destination[0] = (byte)(0x80 | blockCount);
        destination[1] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)words);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        return length;
    }

    private static int WriteBlocks(Span<byte> destination, ReadOnlySpan<RtcpReportBlock> blocks)
    {
        int offset = 0;
        foreach (var block in blocks)
        {
            var b = destination[offset..];
            BinaryPrimitives.WriteUInt32BigEndian(b, block.Ssrc);
            int lost = Math.Clamp(block.CumulativeLost, -0x800000, 0x7FFFFF);
            BinaryPrimitives.WriteUInt32BigEndian(b[4..], ((uint)block.FractionLost << 24) | ((uint)lost & 0xFFFFFF));
            BinaryPrimitives.WriteUInt32BigEndian(b[8..], block.HighestSequence);
            BinaryPrimitives.WriteUInt32BigEndian(b[12..], block.Jitter);
            BinaryPrimitives.WriteUInt32BigEndian(b[16..], block.LastSenderReport);
            BinaryPrimitives.WriteUInt32BigEndian(b[20..], block.DelaySinceLastSenderReport);
            offset += 24;
        }

        return offset;
    }

    private static int WriteCname(Span<byte> sdes, uint ssrc, string cname)
    {
        int cnameLength = Math.Min(Encoding.UTF8.GetByteCount(cname), 255);
        int sdesBody = 4 + 2 + cnameLength + 1;
        int sdesWords = (sdesBody + 3) / 4;
        sdes[..(4 + (sdesWords * 4))].Clear();
        sdes[0] = 0x81;
        sdes[1] = (byte)RtcpPacketType.SourceDescription;
        BinaryPrimitives.WriteUInt16BigEndian(sdes[2..], (ushort)sdesWords);
        BinaryPrimitives.WriteUInt32BigEndian(sdes[4..], ssrc);
        sdes[8] = 1;
        sdes[9] = (byte)cnameLength;
        Encoding.UTF8.GetBytes(cname.AsSpan(), sdes[10..(10 + cnameLength)]);
        return 4 + (sdesWords * 4);
    }

    private bool ParseOne(ReadOnlySpan<byte> packet, int count, out string error)
    {
        error = string.Empty;
        switch ((RtcpPacketType)packet[1])
        {
            case RtcpPacketType.SenderReport:
                if (packet.Length < 28 + (24 * count))
                {
                    error = "sender report shorter than its report blocks";
                    return false;
                }

                {
                    uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
                    SenderReports.Add((ssrc, new RtcpSenderInfo(
                        BinaryPrimitives.ReadUInt64BigEndian(packet[8..]),
                        BinaryPrimitives.ReadUInt32BigEndian(packet[16..]),
                        BinaryPrimitives.ReadUInt32BigEndian(packet[20..]),
                        BinaryPrimitives.ReadUInt32BigEndian(packet[24..]))));
                    ReadBlocks(ssrc, packet[28..], count);
                }

                return true;
            case RtcpPacketType.ReceiverReport:
                if (packet.Length < 8 + (24 * count))
                {
                    error = "receiver report shorter than its report blocks";
                    return false;
                }

                ReceiverReports++;
                ReadBlocks(BinaryPrimitives.ReadUInt32BigEndian(packet[4..]), packet[8..], count);
                return true;
            case RtcpPacketType.SourceDescription:
                return ReadSdes(packet[4..], count, out error);
            case RtcpPacketType.Goodbye:
                if (packet.Length < 4 + (4 * count))
                {
                    error = "BYE shorter than its SSRC list";
                    return false;
                }

                for (int i = 0; i < count; i++)
                {
                    Goodbyes.Add(BinaryPrimitives.ReadUInt32BigEndian(packet[(4 + (4 * i))..]));
                }

                return true;
            case RtcpPacketType.TransportFeedback when count == 1:
                if (packet.Length < 12)
                {
                    error = "NACK shorter than its header";
                    return false;
                }

                {
                    uint media = BinaryPrimitives.ReadUInt32BigEndian(packet[8..]);
                    for (int offset = 12; offset + 4 <= packet.Length; offset += 4)
                    {
                        ushort pid = BinaryPrimitives.ReadUInt16BigEndian(packet[offset..]);
                        ushort blp = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]);
                        AddNack(media, pid);
                        for (int bit = 0; bit < 16; bit++)
                        {
                            if ((blp & (1 << bit)) != 0)
                            {
                                AddNack(media, (ushort)(pid + bit + 1));
                            }
                        }
                    }
                }

                return true;
            default:
                OtherPackets++;
                return true;
        }
    }

    private void ReadBlocks(uint reporter, ReadOnlySpan<byte> blocks, int count)
    {
        for (int i = 0; i < count; i++)
        {
            var b = blocks[(24 * i)..];
            int lost = (b[5] << 16) | (b[6] << 8) | b[7];
            if ((lost & 0x800000) != 0)
            {
                lost |= unchecked((int)0xFF000000);
            }

            ReportBlocks.Add((reporter, new RtcpReportBlock(
                BinaryPrimitives.ReadUInt32BigEndian(b),
                b[4],
                lost,
                BinaryPrimitives.ReadUInt32BigEndian(b[8..]),
                BinaryPrimitives.ReadUInt32BigEndian(b[12..]),
                BinaryPrimitives.ReadUInt32BigEndian(b[16..]),
                BinaryPrimitives.ReadUInt32BigEndian(b[20..]))));
        }
    }

    private bool ReadSdes(ReadOnlySpan<byte> chunks, int count, out string error)
    {
        int offset = 0;
        for (int c = 0; c < count; c++)
        {
            if (offset + 4 > chunks.Length)
            {
                error = "SDES chunk overruns the packet";
                return false;
            }

            uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(chunks[offset..]);
            offset += 4;
            while (true)
            {
                if (offset >= chunks.Length)
                {
                    error = "SDES items run past the packet";
                    return false;
                }

                byte type = chunks[offset];
                if (type == 0)
                {
                    offset = (offset + 4) & ~3;
                    break;
                }

                if (offset + 2 > chunks.Length || offset + 2 + chunks[offset + 1] > chunks.Length)
                {
                    error = "SDES item overruns the packet";
                    return false;
                }

                int itemLength = chunks[offset + 1];
                if (type == 1)
                {
                    Cnames.Add((ssrc, Encoding.UTF8.GetString(chunks.Slice(offset + 2, itemLength))));
                }

                offset += 2 + itemLength;
            }
        }

        error = string.Empty;
        return true;
    }

    private void AddNack(uint media, ushort sequence)
    {
        if (Nacks.Count < MaxNacks)
        {
            Nacks.Add((media, sequence));
        }
        else
        {
            NacksOverLimit++;
        }
    }
}
