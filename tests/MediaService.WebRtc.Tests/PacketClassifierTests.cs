using AudioStream.MediaService.WebRtc.Mux;

namespace AudioStream.MediaService.WebRtc.Tests;

public class PacketClassifierTests
{
    [Theory]
    [InlineData(new byte[] { 0, 1, 0, 0, 0x21, 0x12, 0xA4, 0x42 }, PacketKind.Stun)]
    [InlineData(new byte[] { 3, 0 }, PacketKind.Stun)]
    [InlineData(new byte[] { 4, 0 }, PacketKind.Unknown)]
    [InlineData(new byte[] { 19, 0 }, PacketKind.Unknown)]
    [InlineData(new byte[] { 20, 0xFE, 0xFD }, PacketKind.Dtls)]
    [InlineData(new byte[] { 22, 0xFE, 0xFD }, PacketKind.Dtls)]
    [InlineData(new byte[] { 63, 0 }, PacketKind.Dtls)]
    [InlineData(new byte[] { 64, 0 }, PacketKind.Unknown)]
    [InlineData(new byte[] { 127, 0 }, PacketKind.Unknown)]
    [InlineData(new byte[] { 0x80, 111, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 }, PacketKind.Rtp)]
    [InlineData(new byte[] { 0x80, 0xEF, 0, 1, 0, 0, 0, 0 }, PacketKind.Rtp)] // marker + PT 111
    [InlineData(new byte[] { 0x80, 200, 0, 6, 0, 0, 0, 1 }, PacketKind.Rtcp)] // SR
    [InlineData(new byte[] { 0x81, 201, 0, 7, 0, 0, 0, 1 }, PacketKind.Rtcp)] // RR
    [InlineData(new byte[] { 0x80, 223, 0, 1, 0, 0, 0, 1 }, PacketKind.Rtcp)]
    [InlineData(new byte[] { 0x80, 224, 0, 1, 0, 0, 0, 1 }, PacketKind.Rtp)]
    [InlineData(new byte[] { 0x80, 200, 0, 1 }, PacketKind.Rtp)] // too short for RTCP
    [InlineData(new byte[] { 191, 0 }, PacketKind.Rtp)]
    [InlineData(new byte[] { 192, 0 }, PacketKind.Unknown)]
    [InlineData(new byte[] { 255 }, PacketKind.Unknown)]
    [InlineData(new byte[0], PacketKind.Unknown)]
    public void First_bytes_tell_the_protocol_as_rfc_7983_and_5761_say(byte[] packet, PacketKind expected)
    {
        Assert.Equal(expected, PacketClassifier.Classify(packet));
    }
}
