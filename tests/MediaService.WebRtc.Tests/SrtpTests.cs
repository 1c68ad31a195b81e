using System.Buffers.Binary;
using System.Security.Cryptography;
using AudioStream.MediaService.WebRtc.Srtp;

namespace AudioStream.MediaService.WebRtc.Tests;

public class SrtpTests
{
    private static readonly byte[] MasterKey = Hex.Bytes("E1F97A0D3E018BE0D64FA32C06DE4139");
    private static readonly byte[] MasterSalt = Hex.Bytes("0EC675AD498AFEEBB6960B3AABE6");

    [Fact]
    public void Aes_cm_keystream_matches_rfc_3711_b2()
    {
        using var aes = new AesCounterMode(Hex.Bytes("2B7E151628AED2A6ABF7158809CF4F3C"));
        var keystream = new byte[1044512];

        aes.Keystream(Hex.Bytes("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000"), keystream);

        Assert.Equal(
            "E03EAD0935C95E80E166B16DD92B4EB4D23513162B02D0F72A43A2FE4A5F97AB41E95B3BB0A2E8DD477901E4FCA894C0",
            Convert.ToHexString(keystream, 0, 48));
        Assert.Equal(
            "EC8CDF7398607CB0F2D21675EA9EA1E4362B7C3C6773516318A077D7FC5073AE6A2CC3787889374FBEB4C81B17BA6C44",
            Convert.ToHexString(keystream, keystream.Length - 48, 48));
    }

    [Fact]
    public void Key_derivation_matches_rfc_3711_b3()
    {
        var cipherKey = new byte[16];
        var cipherSalt = new byte[14];
        var authKey = new byte[94];

        SrtpKeyDerivation.Derive(MasterKey, MasterSalt, SrtpLabel.RtpEncryption, cipherKey);
        SrtpKeyDerivation.Derive(MasterKey, MasterSalt, SrtpLabel.RtpSalt, cipherSalt);
        SrtpKeyDerivation.Derive(MasterKey, MasterSalt, SrtpLabel.RtpAuthentication, authKey);

        Assert.Equal("C61E7A93744F39EE10734AFE3FF7A087", Convert.ToHexString(cipherKey));
        Assert.Equal("30CBBC08863D8C85D49DB34A9AE1", Convert.ToHexString(cipherSalt));
        Assert.Equal(
            "CEBE321F6FF7716B6FD4AB49AF256A156D38BAA48F0A0ACF3C34E2359E6CDBCE" +
            "E049646C43D9327AD175578EF72270986371C10C9A369AC2F94A8C5FBCDDDC25" +
            "6D6E919A48B610EF17C2041E474035766B68642C59BBFC2F34DB60DBDFB2",
            Convert.ToHexString(authKey));
    }

    [Fact]
    public void Srtp_protect_matches_the_libsrtp_reference_packet()
    {
        using var context = new SrtpContext(MasterKey, MasterSalt);
        var buffer = new byte[64];
        Hex.Bytes("800f1234decafbadcafebabeabababababababababababababababab").CopyTo(buffer, 0);

        int length = context.ProtectRtp(buffer, 28);

        Assert.Equal("800F1234DECAFBADCAFEBABE4E55DC4CE79978D88CA4D215949D2402B78D6ACC99EA179B8DBB", Convert.ToHexString(buffer, 0, length));
    }

    [Fact]
    public void Srtp_unprotect_recovers_the_libsrtp_reference_packet()
    {
        using var context = new SrtpContext(MasterKey, MasterSalt);
        var packet = Hex.Bytes("800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb");

        Assert.Equal(SrtpResult.Ok, context.UnprotectRtp(packet, out int length));
        Assert.Equal("800F1234DECAFBADCAFEBABEABABABABABABABABABABABABABABABAB", Convert.ToHexString(packet, 0, length));
    }

    [Fact]
    public void Srtcp_protect_and_unprotect_match_the_libsrtp_reference_packet()
    {
        using var sender = new SrtpContext(MasterKey, MasterSalt);
        using var receiver = new SrtpContext(MasterKey, MasterSalt);
        var buffer = new byte[64];
        Hex.Bytes("81c8000bcafebabeabababababababababababababababab").CopyTo(buffer, 0);

        int length = sender.ProtectRtcp(buffer, 24);
        Assert.Equal(24 + 4 + 10, length);
        Assert.Equal(0x80, buffer[24]); // E flag set: the body was encrypted

        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtcp(buffer.AsSpan(0, length), out int plain));
        Assert.Equal("81C8000BCAFEBABEABABABABABABABABABABABABABABABAB", Convert.ToHexString(buffer, 0, plain));

        // libsrtp's vector is the second packet of its stream (index 1): check the tag against it too.
        var reference = Hex.Bytes("81c8000bcafebabe7128035be487b9bdbef89041f977a5a880000001993e08cd54d6c1230798");
        using var fresh = new SrtpContext(MasterKey, MasterSalt);
        Assert.Equal(SrtpResult.Ok, fresh.UnprotectRtcp(reference, out plain));
        Assert.Equal("81C8000BCAFEBABEABABABABABABABABABABABABABABABAB", Convert.ToHexString(reference, 0, plain));
    }

    [Fact]
    public void Srtp_round_trips_many_packets_with_both_dtls_directions()
    {
        var material = RandomNumberGenerator.GetBytes(60);
        var (clientTx, serverTx) = SrtpContext.FromDtlsKeyingMaterial(material);
        var (clientRx, serverRx) = SrtpContext.FromDtlsKeyingMaterial(material);
        using (clientTx)
        using (serverTx)
        using (clientRx)
        using (serverRx)
        {
            for (int i = 0; i < 500; i++)
            {
                var rtp = MakeRtp((ushort)i, 0x1234, 100 + (i % 50));
                var buffer = new byte[rtp.Length + 10];
                rtp.CopyTo(buffer, 0);
                int length = clientTx.ProtectRtp(buffer, rtp.Length);
                Assert.Equal(SrtpResult.Ok, clientRx.UnprotectRtp(buffer.AsSpan(0, length), out int plain));
                Assert.Equal(rtp, buffer[..plain]);
                Assert.NotEqual(SrtpResult.Ok, serverRx.UnprotectRtp(buffer.AsSpan(0, length), out _));
            }
        }
    }

    [Fact]
    public void Srtp_packets_with_a_bad_tag_are_rejected_and_counted()
    {
        using var sender = new SrtpContext(MasterKey, MasterSalt);
        using var receiver = new SrtpContext(MasterKey, MasterSalt);
        var rtp = MakeRtp(7, 0xCAFE, 160);
        var buffer = new byte[rtp.Length + 10];
        rtp.CopyTo(buffer, 0);
        int length = sender.ProtectRtp(buffer, rtp.Length);
        buffer[20] ^= 0x40;

        Assert.Equal(SrtpResult.AuthenticationFailed, receiver.UnprotectRtp(buffer.AsSpan(0, length), out _));
        Assert.Equal(1, receiver.AuthenticationFailures);
    }

    [Fact]
    public void Packets_of_a_hundred_unauthenticated_ssrcs_leave_no_state_and_the_real_sender_still_gets_through()
    {
        using var attacker = new SrtpContext(Hex.Bytes("00112233445566778899AABBCCDDEEFF"), MasterSalt);
        using var sender = new SrtpContext(MasterKey, MasterSalt);
        using var receiver = new SrtpContext(MasterKey, MasterSalt);
        for (uint ssrc = 1; ssrc <= 100; ssrc++)
        {
            Assert.Equal(SrtpResult.AuthenticationFailed, receiver.UnprotectRtp(Protect(attacker, MakeRtp(1, ssrc, 50)), out _));
            Assert.Equal(SrtpResult.AuthenticationFailed, receiver.UnprotectRtcp(ProtectRtcp(attacker, ssrc), out _));
        }

        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(Protect(sender, MakeRtp(1, 0xCAFE, 50)), out _));
        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtcp(ProtectRtcp(sender, 0xCAFE), out _));
        Assert.Equal(200, receiver.AuthenticationFailures);
        // A bogus packet for the real SSRC does not move its state either: the next real packet is no replay.
        Assert.Equal(SrtpResult.AuthenticationFailed, receiver.UnprotectRtp(Protect(attacker, MakeRtp(2, 0xCAFE, 50)), out _));
        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(Protect(sender, MakeRtp(2, 0xCAFE, 50)), out _));
    }

    [Fact]
    public void Srtp_replayed_packets_are_dropped()
    {
        using var sender = new SrtpContext(MasterKey, MasterSalt);
        using var receiver = new SrtpContext(MasterKey, MasterSalt);
        var protectedPackets = Enumerable.Range(0, 3).Select(i => Protect(sender, MakeRtp((ushort)(100 + i), 1, 50))).ToArray();

        foreach (var p in protectedPackets)
        {
            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp((byte[])p.Clone(), out _));
        }

        Assert.Equal(SrtpResult.Replayed, receiver.UnprotectRtp((byte[])protectedPackets[1].Clone(), out _));
        Assert.Equal(1, receiver.ReplaysDropped);
    }

    [Fact]
    public void Srtp_tracks_the_rollover_counter_across_a_sequence_wrap_with_reordering()
    {
        using var sender = new SrtpContext(MasterKey, MasterSalt);
        using var receiver = new SrtpContext(MasterKey, MasterSalt);
        var packets = new List<byte[]>();
        for (int i = 0; i < 40; i++)
        {
            packets.Add(Protect(sender, MakeRtp((ushort)(65520 + i), 0xABCD, 80)));
        }

        Assert.Equal(1u, sender.GetRolloverCounter(0xABCD));

        // Swap neighbours around the wrap so a pre-wrap packet arrives after a post-wrap one.
        (packets[15], packets[16]) = (packets[16], packets[15]);
        (packets[17], packets[18]) = (packets[18], packets[17]);
        foreach (var p in packets)
        {
            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(p, out _));
        }

        Assert.Equal(1u, receiver.GetRolloverCounter(0xABCD));
        Assert.Equal(0, receiver.AuthenticationFailures);
    }

    [Fact]
    public void Srtp_malformed_input_never_throws()
    {
        using var receiver = new SrtpContext(MasterKey, MasterSalt);
        var random = new Random(1234);
        for (int i = 0; i < 5000; i++)
        {
            var data = new byte[random.Next(0, 200)];
            random.NextBytes(data);
            if (data.Length > 0 && i % 2 == 0)
            {
                data[0] = (byte)(0x80 | (data[0] & 0x3F));
            }

            var result = receiver.UnprotectRtp(data, out _);
            Assert.NotEqual(SrtpResult.Ok, result);
            Assert.NotEqual(SrtpResult.Ok, receiver.UnprotectRtcp((byte[])data.Clone(), out _));
        }
    }

    internal static byte[] MakeRtp(ushort sequence, uint ssrc, int payloadLength)
    {
        var packet = new byte[12 + payloadLength];
        packet[0] = 0x80;
        packet[1] = 111;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), sequence * 960u);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc);
        for (int i = 12; i < packet.Length; i++)
        {
            packet[i] = (byte)(i * 7);
        }

        return packet;
    }

    private static byte[] ProtectRtcp(SrtpContext context, uint ssrc)
    {
        var buffer = new byte[8 + SrtpContext.SrtcpTrailerLength];
        buffer[0] = 0x80;
        buffer[1] = 201; // an empty receiver report
        buffer[3] = 1;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(4), ssrc);
        int length = context.ProtectRtcp(buffer, 8);
        return buffer[..length];
    }

    private static byte[] Protect(SrtpContext context, byte[] rtp)
    {
        var buffer = new byte[rtp.Length + 10];
        rtp.CopyTo(buffer, 0);
        int length = context.ProtectRtp(buffer, rtp.Length);
        return buffer[..length];
    }
}
