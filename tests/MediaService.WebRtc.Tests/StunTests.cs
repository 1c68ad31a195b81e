using System.Net;
using System.Text;
using AudioStream.MediaService.WebRtc.Stun;

namespace AudioStream.MediaService.WebRtc.Tests;

public class StunTests
{
    private const string Password = "VOkJxbRl1RmTxUk/WvJxBt";

    // RFC 5769 §2.1 sample request.
    internal static readonly byte[] SampleRequest = Hex.Bytes("""
        000100582112a442b7e7a701bc34d686fa87dfae
        802200105354554e207465737420636c69656e74
        002400046e0001ff
        80290008932ff9b151263b36
        000600096576746a3a68367659202020
        000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2
        80280004e57a3bcf
        """);

    // RFC 5769 §2.2 sample IPv4 response.
    private static readonly byte[] SampleIpv4Response = Hex.Bytes("""
        0101003c2112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220
        002000080001a147e112a643000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7
        80280004c07d4c96
        """);

    // RFC 5769 §2.3 sample IPv6 response.
    private static readonly byte[] SampleIpv6Response = Hex.Bytes("""
        010100482112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220
        002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d900080014a382954e4be67bf1
        1784c97c8292c275bfe3ed4180280004c8fb0b4c
        """);

    // RFC 5769 §2.4 sample request with long-term authentication.
    private static readonly byte[] SampleLongTermRequest = Hex.Bytes("""
        000100602112a44278ad3433c6ad72c029da412e00060012e3839ee38388e383aae38383
        e382afe382b900000015001c662f2f3439396b39353464364f4c33346f4c394653547679
        363473410014000b6578616d706c652e6f72670000080014f67024656dd64a3e02b8e071
        2e85c9a28ca89666
        """);

    [Fact]
    public void Stun_message_integrity_matches_rfc_5769_sample_request()
    {
        var message = StunMessage.Parse(SampleRequest);

        Assert.Equal(StunMessageType.BindingRequest, message.Type);
        Assert.Equal("evtj:h6vY", message.Username);
        Assert.Equal(0x6e0001ffu, message.Priority);
        Assert.Equal(0x932ff9b151263b36UL, message.IceControlled);
        Assert.True(message.VerifyMessageIntegrity(StunMessage.ShortTermKey(Password)));
        Assert.False(message.VerifyMessageIntegrity(StunMessage.ShortTermKey("wrong")));
    }

    [Fact]
    public void Stun_fingerprint_matches_rfc_5769_sample_request()
    {
        Assert.True(StunMessage.Parse(SampleRequest).VerifyFingerprint());
    }

    [Fact]
    public void Stun_writer_reproduces_rfc_5769_sample_request_byte_for_byte()
    {
        var buffer = new byte[256];
        var writer = new StunMessageWriter(buffer, StunMessageType.BindingRequest, Hex.Bytes("b7e7a701bc34d686fa87dfae"));
        writer.AddString(StunAttributeType.Software, "STUN test client");
        writer.AddUInt32(StunAttributeType.Priority, 0x6e0001ff);
        writer.AddUInt64(StunAttributeType.IceControlled, 0x932ff9b151263b36);
        writer.AddString(StunAttributeType.Username, "evtj:h6vY", padding: 0x20);
        writer.AddMessageIntegrity(StunMessage.ShortTermKey(Password));
        writer.AddFingerprint();

        Assert.Equal(Convert.ToHexString(SampleRequest), Convert.ToHexString(writer.Written));
    }

    [Fact]
    public void Stun_xor_mapped_address_matches_rfc_5769_ipv4_response()
    {
        var message = StunMessage.Parse(SampleIpv4Response);

        Assert.Equal(StunMessageType.BindingSuccessResponse, message.Type);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853), message.XorMappedAddress);
        Assert.True(message.VerifyMessageIntegrity(StunMessage.ShortTermKey(Password)));
        Assert.True(message.VerifyFingerprint());
    }

    [Fact]
    public void Stun_xor_mapped_address_matches_rfc_5769_ipv6_response()
    {
        var message = StunMessage.Parse(SampleIpv6Response);

        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8:1234:5678:11:2233:4455:6677"), 32853), message.XorMappedAddress);
        Assert.True(message.VerifyMessageIntegrity(StunMessage.ShortTermKey(Password)));
        Assert.True(message.VerifyFingerprint());
    }

    [Fact]
    public void Stun_long_term_credentials_match_rfc_5769_sample()
    {
        var message = StunMessage.Parse(SampleLongTermRequest);
        string username = message.Username!;

        Assert.Equal("マトリックス", username);
        Assert.True(message.VerifyMessageIntegrity(StunMessage.LongTermKey(username, "example.org", "TheMatrIX")));
    }

    [Theory]
    [InlineData("192.0.2.1", 32853)]
    [InlineData("2001:db8::1", 443)]
    public void Stun_writer_round_trips_xor_mapped_address(string address, int port)
    {
        var buffer = new byte[128];
        var writer = new StunMessageWriter(buffer, StunMessageType.BindingSuccessResponse, new byte[12] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 });
        writer.AddXorMappedAddress(new IPEndPoint(IPAddress.Parse(address), port));
        writer.AddMessageIntegrity("key"u8);
        writer.AddFingerprint();

        var parsed = StunMessage.Parse(writer.Written);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), parsed.XorMappedAddress);
        Assert.True(parsed.VerifyMessageIntegrity("key"u8));
        Assert.True(parsed.VerifyFingerprint());
    }

    [Fact]
    public void Stun_any_flipped_bit_breaks_integrity_or_fingerprint_or_parsing()
    {
        var key = StunMessage.ShortTermKey(Password);
        for (int i = 0; i < SampleRequest.Length; i++)
        {
            var tampered = (byte[])SampleRequest.Clone();
            tampered[i] ^= 0x01;
            if (StunMessage.TryParse(tampered, out var message))
            {
                Assert.False(message.VerifyMessageIntegrity(key) && message.VerifyFingerprint(), $"byte {i}");
            }
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("0001")]
    [InlineData("000100002112a443b7e7a701bc34d686fa87dfae")] // wrong cookie
    [InlineData("000100042112a442b7e7a701bc34d686fa87dfae")] // length says 4, nothing follows
    [InlineData("000100082112a442b7e7a701bc34d686fa87dfae00060010aaaaaaaa")] // attribute overruns
    [InlineData("c00100002112a442b7e7a701bc34d686fa87dfae")] // top bits set
    public void Stun_malformed_messages_are_rejected_with_a_typed_error(string hex)
    {
        var data = Convert.FromHexString(hex);

        Assert.False(StunMessage.TryParse(data, out _));
        Assert.Throws<StunParseException>(() => StunMessage.Parse(data));
    }

    [Fact]
    public void Stun_username_is_read_as_utf8()
    {
        Assert.Equal("evtj:h6vY", Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(StunMessage.Parse(SampleRequest).Username!)));
    }
}
