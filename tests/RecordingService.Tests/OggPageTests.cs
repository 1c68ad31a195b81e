using AudioStream.RecordingService.Audio.Ogg;
using AudioStream.RecordingService.Audio.Opus;

namespace AudioStream.RecordingService.Tests;

public sealed class OggPageTests : IDisposable
{
    /// <summary>The first page opusenc (libopus 1.3.1, libogg) wrote for a mono 48 kHz file: OpusHead alone, pre-skip 312.</summary>
    private static readonly byte[] OpusencFirstPage = Convert.FromHexString(
        "4F67675300020000000000000000ABB44E2A00000000679DAD0401134F707573486561640101380180BB0000000000");

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void The_crc_is_the_unreflected_0x04c11db7_checksum_rfc_3533_names()
    {
        // CRC-32 with initial value 0 and no final XOR: the standard check input "123456789".
        Assert.Equal(0x89A1897Fu, OggCrc.Compute("123456789"u8));
        Assert.Equal(0u, OggCrc.Compute([]));
    }

    [Fact]
    public void A_page_libogg_wrote_reads_with_its_crc_and_fields()
    {
        Assert.True(OggPage.TryRead(OpusencFirstPage, out var page));
        Assert.Equal(OggHeaderType.BeginningOfStream, page.HeaderType);
        Assert.Equal(0, page.GranulePosition);
        Assert.Equal(0x2A4EB4ABu, page.SerialNumber);
        Assert.Equal(0u, page.SequenceNumber);
        Assert.Equal(1, page.SegmentCount);
        Assert.Equal(OpusencFirstPage.Length, page.Length);
        Assert.True(OpusHead.TryRead(page.Body(OpusencFirstPage), out var head));
        Assert.Equal(new OpusHead(1, 312, 48000), head);
    }

    [Fact]
    public void Our_page_for_the_same_packet_and_fields_is_byte_for_byte_libogg_s()
    {
        var builder = new OggPageBuilder();
        builder.Add(new OpusHead(1, 312, 48000).ToPacket());

        var page = builder.Build(OggHeaderType.BeginningOfStream, 0, 0x2A4EB4AB, 0);

        Assert.Equal(OpusencFirstPage, page.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(254)]
    [InlineData(255)]
    [InlineData(510)]
    [InlineData(1275)]
    public void Packets_are_laced_in_255_byte_segments_and_read_back_whole(int length)
    {
        var builder = new OggPageBuilder();
        var packet = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
        builder.Add(packet);
        builder.Add([42]);

        var bytes = builder.Build(OggHeaderType.None, 960, 7, 3).ToArray();

        Assert.True(OggPage.TryRead(bytes, out var page));
        Assert.Equal(OggPage.LacingValuesFor(length) + 1, page.SegmentCount);
        Assert.Equal([.. packet, 42], page.Body(bytes).ToArray());
        Assert.Equal(length % 255, page.LacingValues(bytes)[^2]);
    }

    [Fact]
    public void A_page_with_any_byte_changed_or_cut_short_is_refused()
    {
        for (var i = 0; i < OpusencFirstPage.Length; i++)
        {
            var damaged = OpusencFirstPage.ToArray();
            damaged[i] ^= 0x10;
            Assert.False(OggPage.TryRead(damaged, out _), $"byte {i} changed");
        }
        for (var length = 0; length < OpusencFirstPage.Length; length++)
        {
            Assert.False(OggPage.TryRead(OpusencFirstPage.AsSpan(0, length), out _), $"cut to {length} bytes");
        }
    }

    [Fact]
    public void A_page_full_of_segments_is_the_largest_page_and_a_further_packet_does_not_fit()
    {
        var builder = new OggPageBuilder();
        var big = new byte[254];
        for (var i = 0; i < OggPage.MaxSegments; i++)
        {
            Assert.True(builder.CanAdd(big.Length));
            builder.Add(big);
        }

        Assert.False(builder.CanAdd(0));
        Assert.Throws<InvalidOperationException>(() => builder.Add([]));
        Assert.True(OggPage.TryRead(builder.Build(OggHeaderType.None, 0, 1, 1), out var page));
        Assert.Equal(255, page.SegmentCount);
    }

    [Fact]
    public void The_reader_walks_pages_in_order_and_stops_at_a_torn_one()
    {
        var path = _folder.File("pages.ogg");
        var builder = new OggPageBuilder();
        using (var stream = File.Create(path))
        {
            for (uint sequence = 0; sequence < 5; sequence++)
            {
                builder.Add(new byte[300 + (int)sequence]);
                stream.Write(builder.Build(OggHeaderType.None, sequence * 960, 9, sequence));
            }
            builder.Add(new byte[100]);
            stream.Write(builder.Build(OggHeaderType.None, 5 * 960, 9, 5)[..40]); // torn by a crash
        }
        using var handle = File.OpenHandle(path);
        var reader = new OggPageReader(handle);

        var sequences = new List<uint>();
        while (reader.TryReadNext(out var page, out _))
        {
            sequences.Add(page.SequenceNumber);
        }

        Assert.Equal([0u, 1, 2, 3, 4], sequences);
        Assert.Equal(new FileInfo(path).Length - 40, reader.Position);
        Assert.True(OggPageReader.TryReadLast(handle, reader.Length, out var last));
        Assert.Equal(4u, last.SequenceNumber);
    }

    [Theory]
    [InlineData(new byte[] { 9 << 3 }, 960)] // SILK WB 20 ms, one frame
    [InlineData(new byte[] { (31 << 3) | 1 }, 1920)] // CELT FB 20 ms, two frames
    [InlineData(new byte[] { (16 << 3) | 3, 6 }, 720)] // CELT NB 2.5 ms, code 3, six frames
    [InlineData(new byte[] { (3 << 3) | 3, 3 }, 0)] // 3 × 60 ms: more than 120 ms is malformed (RFC 6716 §3.4 R5)
    [InlineData(new byte[0], 0)]
    public void An_opus_packets_length_comes_from_its_toc_byte(byte[] packet, int samples) =>
        Assert.Equal(samples, OpusPacket.Samples(packet));
}
