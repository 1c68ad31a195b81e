using System.Buffers.Binary;
using System.Text;
using AudioStream.MediaService.WebRtc.Dtls;
using AudioStream.MediaService.WebRtc.Ice;
using AudioStream.MediaService.WebRtc.Mux;
using AudioStream.MediaService.WebRtc.Rtcp;
using AudioStream.MediaService.WebRtc.Rtp;
using AudioStream.MediaService.WebRtc.Sdp;
using AudioStream.MediaService.WebRtc.Srtp;
using AudioStream.MediaService.WebRtc.Stun;
using AudioStream.RecordingService.Audio;

namespace AudioStream.Benchmarks.Fuzz;

/// <summary>
/// Every parser of network or stored input: SDP offers (WHIP/WHEP bodies), STUN checks, DTLS record framing, RTP and
/// RTCP (with SRTP/SRTCP unprotection in front, as on the wire), and the WAV header of a stored recording. The parsers
/// answer bad input with false; the only exception any of them documents is the SDP negotiation's
/// <see cref="SdpParseException"/> (a 400 for the offer's sender).
/// </summary>
public static class FuzzTargets
{
    private static readonly byte[] SrtpKey = Convert.FromHexString("E1F97A0D3E018BE0D64FA32C06DE4139");
    private static readonly byte[] SrtpSalt = Convert.FromHexString("0EC675AD498AFEEBB6960B3AABE6");

    public static IReadOnlyList<FuzzTarget> All { get; } = [Sdp(), Stun(), DtlsRecords(), Rtp(), Rtcp(), Wav()];

    public static FuzzTarget Sdp()
    {
        var answerOptions = new SdpAnswerOptions(
            MediaDirection.RecvOnly, "abcd", "pwdpwdpwdpwdpwdpwdpwdpwd", DtlsCertificate.Shared.Fingerprint, [IceCandidate.Host(0, "127.0.0.1", 9)], 1);
        return new FuzzTarget(
            "sdp",
            [Encoding.UTF8.GetBytes(ChromiumOffer("sendonly")), Encoding.UTF8.GetBytes(ChromiumOffer("recvonly"))],
            [],
            input =>
            {
                if (SessionDescription.TryParse(Encoding.UTF8.GetString(input), out var offer, out _))
                {
                    _ = offer.ToString();
                    var direction = offer.Media.Count > 0 && offer.Media[0].Direction == MediaDirection.RecvOnly ? MediaDirection.SendOnly : MediaDirection.RecvOnly;
                    var negotiation = SdpAnswer.Negotiate(offer, direction);
                    _ = SdpAnswer.Create(offer, negotiation, answerOptions with { Direction = direction }).ToString();
                }
            },
            ex => ex is SdpParseException);
    }

    public static FuzzTarget Stun()
    {
        var request = new byte[256];
        var writer = new StunMessageWriter(request, StunMessageType.BindingRequest, "0123456789ab"u8);
        writer.AddString(StunAttributeType.Username, "ours:theirs");
        writer.AddUInt64(StunAttributeType.IceControlling, 0x1122334455667788);
        writer.AddUInt32(StunAttributeType.Priority, 2113937151);
        writer.AddAttribute(StunAttributeType.UseCandidate, default);
        writer.AddMessageIntegrity(StunMessage.ShortTermKey("ourpasswordourpassword"));
        writer.AddFingerprint();
        var check = writer.Written.ToArray();
        var response = new byte[256];
        var answer = new StunMessageWriter(response, StunMessageType.BindingSuccessResponse, "0123456789ab"u8);
        answer.AddXorMappedAddress(new System.Net.IPEndPoint(System.Net.IPAddress.Parse("2001:db8::1"), 50000));
        answer.AddMessageIntegrity(StunMessage.ShortTermKey("ourpasswordourpassword"));
        answer.AddFingerprint();
        var ice = new IceLiteResponder("ours", "ourpasswordourpassword", "theirs");
        var remote = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 50000);
        var scratch = new byte[512];
        return new FuzzTarget(
            "stun",
            [check, answer.Written.ToArray()],
            [2, 22, 22 + 16],
            input =>
            {
                _ = PacketClassifier.Classify(input);
                StunMessage.TryFindBindingRequestUsername(input, out _);
                if (StunMessage.TryParse(input, out var message))
                {
                    _ = message.Username;
                    _ = message.Priority;
                    _ = message.UseCandidate;
                    _ = message.IceControlling;
                    _ = message.IceControlled;
                    _ = message.XorMappedAddress;
                    message.VerifyFingerprint();
                    ice.HandleRequest(message, remote, scratch, 1, out _);
                }
            });
    }

    public static FuzzTarget DtlsRecords()
    {
        // A ClientHello record followed by a ChangeCipherSpec one, the shapes a handshake's datagrams take.
        var clientHello = Convert.FromHexString(
            "16fefd0000000000000000007d010000710000000000000071fefd000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
            + "000000000cc02bc02fcca9cca8c009c01301000039000d0010000e0403050306030804080508060401000b00020100000a00080006001d00170018"
            + "000e000700040001000200");
        var changeCipherSpec = Convert.FromHexString("14fefd0001000000000000000101");
        return new FuzzTarget(
            "dtls-record",
            [clientHello, changeCipherSpec, [.. clientHello, .. changeCipherSpec]],
            [11, 24],
            input =>
            {
                _ = PacketClassifier.Classify(input);
                DtlsRecord.TryCountRecords(input, out _);
            });
    }

    public static FuzzTarget Rtp()
    {
        var srtp = new SrtpContext(SrtpKey, SrtpSalt);
        var plain = new byte[200];
        int length = RtpPacket.Write(plain, new RtpHeader(111, 1000, 48000, 0xCAFE, Marker: true), new byte[80], [1, 2],
            extensionProfile: 0xBEDE, extensionData: [0x10, 0x7F, 0, 0]);
        var rtp = plain[..length];
        var protectedRtp = new byte[length + SrtpContext.AuthTagLength];
        rtp.CopyTo(protectedRtp, 0);
        new SrtpContext(SrtpKey, SrtpSalt).ProtectRtp(protectedRtp, length);
        return new FuzzTarget(
            "rtp",
            [rtp, protectedRtp],
            [12 + 8 + 2],
            input =>
            {
                if (RtpPacket.TryParse(input, out var packet))
                {
                    _ = packet.Payload.Length + packet.ExtensionData.Length + packet.ExtensionProfile + packet.Ssrc;
                }

                srtp.UnprotectRtp(input, out _);
            });
    }

    public static FuzzTarget Rtcp()
    {
        var srtcp = new SrtpContext(SrtpKey, SrtpSalt);
        // SR with one report block, SDES CNAME, BYE, and a generic NACK (RFC 4585 §6.2.1).
        var compound = Convert.FromHexString(
            "81c8000caaaa0001010203040506070800000001000000020000000381ca0003aaaa0001010361626300"
            + "81cb0001aaaa0001" + "81cd0003aaaa0001bbbb000100050000");
        var sr = new byte[64];
        int srLength = RtcpCompound.WriteSenderReport(sr, 0xAAAA, new RtcpSenderInfo(1, 2, 3, 4), "fuzz");
        var protectedRtcp = new byte[srLength + SrtpContext.SrtcpTrailerLength];
        sr.AsSpan(0, srLength).CopyTo(protectedRtcp);
        new SrtpContext(SrtpKey, SrtpSalt).ProtectRtcp(protectedRtcp, srLength);
        return new FuzzTarget(
            "rtcp",
            [compound, sr[..srLength], protectedRtcp],
            [2, 54, 62, 70],
            input =>
            {
                if (RtcpCompound.TryParse(input, out var parsed, out _))
                {
                    _ = parsed.PacketCount + parsed.ReportBlocks.Count + parsed.Cnames.Count;
                }

                srtcp.UnprotectRtcp(input, out _);
            });
    }

    public static FuzzTarget Wav()
    {
        var file = new byte[WavFormat.HeaderSize + 960];
        WavFormat.WriteHeader(file, WavFormat.DefaultSampleRate, 960);
        return new FuzzTarget(
            "wav",
            [file, file[..WavFormat.HeaderSize]],
            [4, 16, 24, 28, 40],
            input =>
            {
                if (WavFormat.TryReadHeader(input, out var header))
                {
                    _ = WavFormat.Seconds(Math.Min(header.DataBytes, input.Length - WavFormat.HeaderSize), header.SampleRate);
                    _ = BinaryPrimitives.ReadInt16LittleEndian(input.AsSpan(WavFormat.HeaderSize - 2));
                }
            });
    }

    private static string ChromiumOffer(string direction) =>
        "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\na=extmap-allow-mixed\r\n"
        + "a=msid-semantic: WMS stream\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\nc=IN IP4 0.0.0.0\r\n"
        + "a=rtcp:9 IN IP4 0.0.0.0\r\na=candidate:1 1 udp 2113937151 127.0.0.1 54321 typ host generation 0\r\n"
        + "a=ice-ufrag:EsAw\r\na=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\na=ice-options:trickle\r\n"
        + "a=fingerprint:sha-256 D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:34:8E:5E:EA:6F:AF:52:CE:E6:0F\r\n"
        + $"a=setup:actpass\r\na=mid:0\r\na=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\na={direction}\r\n"
        + "a=msid:stream track\r\na=rtcp-mux\r\na=rtcp-rsize\r\na=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\n"
        + "a=fmtp:111 minptime=10;useinbandfec=1;stereo=1\r\na=rtpmap:63 red/48000/2\r\na=fmtp:63 111/111\r\n"
        + "a=rtpmap:9 G722/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=ssrc:1234 cname:abc\r\n";
}
