using System.Buffers.Binary;
using AudioStream.MediaService.WebRtc.Rtcp;
using AudioStream.MediaService.WebRtc.Rtp;

namespace AudioStream.MediaService.WebRtc.Tests;

public class RtpRtcpTests
{
    [Fact]
    public void Rtp_packet_round_trips_header_csrcs_extension_and_padding()
    {
        var buffer = new byte[200];
        var header = new RtpHeader(111, 65535, 0xDEADBEEF, 0x11223344, Marker: true);
        int length = RtpPacket.Write(buffer, header, "opus!"u8, [1u, 2u], 0xBEDE, new byte[] { 0x10, 0xAA, 0, 0 }, paddingLength: 3);

        var packet = RtpPacket.Parse(buffer.AsSpan(0, length));

        Assert.Equal(2, packet.Version);
        Assert.True(packet.Marker);
        Assert.Equal(111, packet.PayloadType);
        Assert.Equal(65535, packet.SequenceNumber);
        Assert.Equal(0xDEADBEEF, packet.Timestamp);
        Assert.Equal(0x11223344u, packet.Ssrc);
        Assert.Equal(2, packet.CsrcCount);
        Assert.Equal(2u, packet.GetCsrc(1));
        Assert.Equal(0xBEDE, packet.ExtensionProfile);
        Assert.Equal(4, packet.ExtensionData.Length);
        Assert.Equal(3, packet.PaddingLength);
        Assert.Equal("opus!"u8.ToArray(), packet.Payload.ToArray());
    }

    [Fact]
    public void Rtp_plain_chromium_style_packet_has_a_12_byte_header()
    {
        var buffer = new byte[40];
        int length = RtpPacket.Write(buffer, new RtpHeader(111, 1, 960, 42), new byte[20]);

        var packet = RtpPacket.Parse(buffer.AsSpan(0, length));
        Assert.Equal(12, packet.HeaderLength);
        Assert.Equal(20, packet.Payload.Length);
    }

    [Fact]
    public void A_nack_asking_for_every_packet_keeps_a_bounded_list_and_counts_the_rest()
    {
        // One generic NACK of 16 000 FCIs with every BLP bit set: 272 000 sequence numbers asked for in 64 KB.
        const int Fcis = 16_000;
        var nack = new byte[12 + (4 * Fcis)];
        nack[0] = 0x81;
        nack[1] = 205;
        BinaryPrimitives.WriteUInt16BigEndian(nack.AsSpan(2), (ushort)((nack.Length / 4) - 1));
        for (int i = 0; i < Fcis; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(nack.AsSpan(12 + (4 * i)), (ushort)i);
            BinaryPrimitives.WriteUInt16BigEndian(nack.AsSpan(14 + (4 * i)), 0xFFFF);
        }

        var parsed = RtcpCompound.Parse(nack);

        Assert.Equal(RtcpCompound.MaxNacks, parsed.Nacks.Count);
        Assert.Equal((17 * Fcis) - RtcpCompound.MaxNacks, parsed.NacksOverLimit);
    }

    [Theory]
    [InlineData("80")] // short
    [InlineData("406f000100000001000000ff")] // version 1
    [InlineData("8f6f000100000001000000ff")] // 15 CSRCs, none present
    [InlineData("906f000100000001000000ffbede0004")] // extension of 4 words, none present
    [InlineData("a06f000100000001000000ff00")] // padding count 0
    [InlineData("a06f000100000001000000ff0102ff")] // padding longer than the packet
    public void Rtp_absurd_lengths_are_rejected(string hex)
    {
        var data = Convert.FromHexString(hex);

        Assert.False(RtpPacket.TryParse(data, out _, out var error));
        Assert.NotEmpty(error);
        Assert.Throws<RtpParseException>(() => RtpPacket.Parse(data));
    }

    [Fact]
    public void Rtcp_compound_sender_report_sdes_bye_and_nack_are_read()
    {
        var compound = new List<byte>();
        // SR with one report block.
        var sr = new byte[28 + 24];
        sr[0] = 0x81;
        sr[1] = 200;
        BinaryPrimitives.WriteUInt16BigEndian(sr.AsSpan(2), (ushort)((sr.Length / 4) - 1));
        BinaryPrimitives.WriteUInt32BigEndian(sr.AsSpan(4), 0xAAAA0001);
        BinaryPrimitives.WriteUInt64BigEndian(sr.AsSpan(8), 0x0102030405060708);
        BinaryPrimitives.WriteUInt32BigEndian(sr.AsSpan(16), 48000);
        BinaryPrimitives.WriteUInt32BigEndian(sr.AsSpan(20), 250);
        BinaryPrimitives.WriteUInt32BigEndian(sr.AsSpan(24), 25000);
        BinaryPrimitives.WriteUInt32BigEndian(sr.AsSpan(28), 0xBBBB0002);
        sr[32] = 64;
        sr[33] = 0xFF; sr[34] = 0xFF; sr[35] = 0xFE; // cumulative lost -2
        compound.AddRange(sr);
        // SDES CNAME + BYE via our own writer and by hand.
        var rr = new byte[64];
        int rrLength = RtcpCompound.WriteReceiverReport(rr, 0xCCCC0003, "audiostream");
        compound.AddRange(rr[..rrLength]);
        compound.AddRange(Convert.FromHexString("81cb0001aaaa0001"));
        // Generic NACK (RFC 4585 §6.2.1): PID 100, BLP bit 0 and 2 → 100, 101, 103.
        compound.AddRange(Convert.FromHexString("81cd0003aaaa0001bbbb0002" + "00640005"));

        var parsed = RtcpCompound.Parse(compound.ToArray());

        Assert.Equal(5, parsed.PacketCount);
        var (ssrc, info) = Assert.Single(parsed.SenderReports);
        Assert.Equal(0xAAAA0001u, ssrc);
        Assert.Equal(250u, info.PacketCount);
        var block = Assert.Single(parsed.ReportBlocks).Block;
        Assert.Equal(64, block.FractionLost);
        Assert.Equal(-2, block.CumulativeLost);
        Assert.Equal(1, parsed.ReceiverReports);
        Assert.Equal((0xCCCC0003u, "audiostream"), Assert.Single(parsed.Cnames));
        Assert.Equal(0xAAAA0001u, Assert.Single(parsed.Goodbyes));
        Assert.Equal(new ushort[] { 100, 101, 103 }, parsed.Nacks.Select(n => n.Sequence).ToArray());
    }

    [Theory]
    [InlineData("81c8")]
    [InlineData("81c80010aaaa0001")] // length overruns
    [InlineData("41c80000")] // version 1
    [InlineData("81ca0001aaaa0001")] // SDES chunk with no terminating item
    [InlineData("81c90001aaaa0001")] // RR says one block, has none
    public void Rtcp_malformed_compounds_are_rejected_with_a_typed_error(string hex)
    {
        var data = Convert.FromHexString(hex);

        Assert.False(RtcpCompound.TryParse(data, out _, out var error));
        Assert.NotEmpty(error);
        Assert.Throws<RtcpParseException>(() => RtcpCompound.Parse(data));
    }

    [Fact]
    public void Rtcp_reports_we_write_parse_back_field_for_field()
    {
        var block = new RtcpReportBlock(0xBBBB0002, 25, -3, 0x0001_0005, 120, 0x1234_5678, 65536);
        var info = new RtcpSenderInfo(RtcpCompound.ToNtp(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero)), 960_000, 500, 40_000);
        var buffer = new byte[256];

        var sr = RtcpCompound.Parse(buffer.AsSpan(0, RtcpCompound.WriteSenderReport(buffer, 0xAAAA0001, info, "audiostream", [block])));
        Assert.Equal((0xAAAA0001u, info), Assert.Single(sr.SenderReports));
        Assert.Equal((0xAAAA0001u, block), Assert.Single(sr.ReportBlocks));
        Assert.Equal((0xAAAA0001u, "audiostream"), Assert.Single(sr.Cnames));

        var rr = RtcpCompound.Parse(buffer.AsSpan(0, RtcpCompound.WriteReceiverReport(buffer, 0xCCCC0003, "x", [block, block with { Ssrc = 7 }])));
        Assert.Equal(1, rr.ReceiverReports);
        Assert.Equal([block, block with { Ssrc = 7 }], rr.ReportBlocks.Select(b => b.Block));
        // NTP seconds = Unix seconds (1,795,608,000 at 2026-11-25 12:00 UTC) + 2,208,988,800.
        Assert.Equal(1_795_608_000UL + 2_208_988_800UL, info.NtpTimestamp >> 32);
    }

    [Fact]
    public void Reception_statistics_count_loss_per_interval_across_a_sequence_wrap_and_measure_jitter()
    {
        var stats = new ReceptionStatistics(48000);
        ushort sequence = 65530;
        uint timestamp = 1000;
        double arrival = 10;
        for (int i = 0; i < 20; i++)
        {
            if (i is not 8 and not 9)
            {
                // Every 20 ms, except packet 12 which comes 5 ms late.
                stats.OnPacket(0x42, sequence, timestamp, arrival + (i == 12 ? 0.005 : 0));
            }

            sequence++;
            timestamp += 960;
            arrival += 0.02;
        }

        var first = stats.TakeReportBlock(0, 1000)!.Value;
        Assert.Equal(0x42u, first.Ssrc);
        Assert.Equal(0x1_0000u + 65530 + 19 - 65536, first.HighestSequence); // wrapped: one cycle
        Assert.Equal(2, first.CumulativeLost);
        Assert.Equal((byte)(2 * 256 / 20), first.FractionLost);
        Assert.InRange(first.Jitter, 1u, 240u); // 5 ms = 240 samples at 48 kHz, smoothed by 1/16
        Assert.Equal(0u, first.LastSenderReport);

        stats.OnSenderReport(0x42, 0x0000_1234_5678_0000UL, arrivalTimestamp: 1000);
        for (int i = 0; i < 10; i++)
        {
            stats.OnPacket(0x42, sequence++, timestamp += 960, arrival += 0.02);
        }

        var second = stats.TakeReportBlock(1500, 1000)!.Value;
        Assert.Equal(0, second.FractionLost); // nothing lost in this interval
        Assert.Equal(2, second.CumulativeLost);
        Assert.Equal(0x1234_5678u, second.LastSenderReport);
        Assert.Equal(32768u, second.DelaySinceLastSenderReport); // 0.5 s in 1/65536 s
    }
}
