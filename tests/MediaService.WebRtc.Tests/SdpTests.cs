using AudioStream.MediaService.WebRtc.Dtls;
using AudioStream.MediaService.WebRtc.Ice;
using AudioStream.MediaService.WebRtc.Sdp;

namespace AudioStream.MediaService.WebRtc.Tests;

public class SdpTests
{
    internal const string ChromiumSendOffer =
        "v=0\r\n" +
        "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n" +
        "s=-\r\n" +
        "t=0 0\r\n" +
        "a=group:BUNDLE 0\r\n" +
        "a=extmap-allow-mixed\r\n" +
        "a=msid-semantic: WMS stream\r\n" +
        "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\n" +
        "c=IN IP4 0.0.0.0\r\n" +
        "a=rtcp:9 IN IP4 0.0.0.0\r\n" +
        "a=candidate:1 1 udp 2113937151 127.0.0.1 54321 typ host generation 0\r\n" +
        "a=ice-ufrag:EsAw\r\n" +
        "a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n" +
        "a=ice-options:trickle\r\n" +
        "a=fingerprint:sha-256 D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:34:8E:5E:EA:6F:AF:52:CE:E6:0F\r\n" +
        "a=setup:actpass\r\n" +
        "a=mid:0\r\n" +
        "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n" +
        "a=sendonly\r\n" +
        "a=msid:stream track\r\n" +
        "a=rtcp-mux\r\n" +
        "a=rtcp-rsize\r\n" +
        "a=rtpmap:111 opus/48000/2\r\n" +
        "a=rtcp-fb:111 transport-cc\r\n" +
        "a=fmtp:111 minptime=10;useinbandfec=1\r\n" +
        "a=rtpmap:63 red/48000/2\r\n" +
        "a=fmtp:63 111/111\r\n" +
        "a=rtpmap:9 G722/8000\r\n" +
        "a=rtpmap:0 PCMU/8000\r\n" +
        "a=rtpmap:8 PCMA/8000\r\n" +
        "a=rtpmap:13 CN/8000\r\n" +
        "a=rtpmap:110 telephone-event/48000\r\n" +
        "a=rtpmap:126 telephone-event/8000\r\n" +
        "a=ssrc:1001 cname:abc\r\n";

    [Fact]
    public void Sdp_chromium_offer_is_parsed()
    {
        var offer = SessionDescription.Parse(ChromiumSendOffer);

        var audio = Assert.Single(offer.Media);
        Assert.Equal("audio", audio.Kind);
        Assert.Equal("0", audio.Mid);
        Assert.Equal(["0"], offer.BundleMids);
        Assert.Equal("EsAw", offer.UfragFor(audio));
        Assert.Equal("P2uYro0UCOQ4zxjKXaWCBui1", offer.PwdFor(audio));
        Assert.Equal("sha-256", offer.FingerprintFor(audio)!.Algorithm);
        Assert.Equal(32, offer.FingerprintFor(audio)!.ToBytes().Length);
        Assert.Equal("actpass", audio.Setup);
        Assert.Equal(MediaDirection.SendOnly, audio.Direction);
        Assert.True(audio.RtcpMux);
        Assert.Equal(111, audio.Opus!.PayloadType);
        Assert.Equal(2, audio.Opus.Channels);
        Assert.Equal("minptime=10;useinbandfec=1", audio.Fmtps[111]);
        Assert.Single(audio.Candidates);
    }

    [Fact]
    public void Sdp_ingest_answer_is_the_shape_chromium_accepts()
    {
        var offer = SessionDescription.Parse(ChromiumSendOffer.Replace("111", "109", StringComparison.Ordinal).Replace("a=mid:0", "a=mid:audio", StringComparison.Ordinal).Replace("BUNDLE 0", "BUNDLE audio", StringComparison.Ordinal));
        var negotiation = SdpAnswer.Negotiate(offer, MediaDirection.RecvOnly);
        var fingerprint = DtlsCertificate.Shared.Fingerprint;

        var answer = SdpAnswer.Create(offer, negotiation, new SdpAnswerOptions(MediaDirection.RecvOnly, "uFrg", "pwdpwdpwdpwdpwdpwdpwdpwd", fingerprint, [IceCandidate.Host(0, "192.0.2.10", 40000)], 1)).ToString();

        Assert.DoesNotContain("\n", answer.Replace("\r\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        string[] expected =
        [
            "a=group:BUNDLE audio",
            "a=ice-lite",
            "m=audio 40000 UDP/TLS/RTP/SAVPF 109",
            "c=IN IP4 192.0.2.10",
            "a=ice-ufrag:uFrg",
            "a=ice-pwd:pwdpwdpwdpwdpwdpwdpwdpwd",
            $"a=fingerprint:sha-256 {fingerprint.Value}",
            "a=setup:passive",
            "a=mid:audio",
            "a=recvonly",
            "a=rtcp-mux",
            "a=rtpmap:109 opus/48000/2",
            "a=candidate:1 1 udp 2130706431 192.0.2.10 40000 typ host",
        ];
        var lines = answer.Split("\r\n");
        foreach (var line in expected)
        {
            Assert.Contains(line, lines);
        }

        Assert.DoesNotContain(lines, l => l.StartsWith("a=extmap", StringComparison.Ordinal));
        SessionDescription.Parse(answer); // our answer is itself valid SDP
    }

    [Fact]
    public void Sdp_egress_answer_is_sendonly_for_a_recvonly_offer()
    {
        var offer = SessionDescription.Parse(ChromiumSendOffer.Replace("a=sendonly", "a=recvonly", StringComparison.Ordinal));
        var negotiation = SdpAnswer.Negotiate(offer, MediaDirection.SendOnly);

        var answer = SdpAnswer.Create(offer, negotiation, new SdpAnswerOptions(MediaDirection.SendOnly, "uFrg", "pwdpwdpwdpwdpwdpwdpwdpwd", DtlsCertificate.Shared.Fingerprint, [IceCandidate.Host(0, "127.0.0.1", 5000)], 1)).ToString();

        Assert.Contains("a=sendonly", answer.Split("\r\n"));
        Assert.Throws<SdpParseException>(() => SdpAnswer.Negotiate(offer, MediaDirection.RecvOnly));
    }

    [Fact]
    public void Sdp_offer_without_opus_gives_a_clear_error()
    {
        var noOpus = string.Join("\r\n", ChromiumSendOffer.Split("\r\n").Where(l => !l.Contains("opus", StringComparison.Ordinal)))
            .Replace("SAVPF 111 63", "SAVPF 63", StringComparison.Ordinal);
        var offer = SessionDescription.Parse(noOpus);

        var error = Assert.Throws<SdpParseException>(() => SdpAnswer.Negotiate(offer, MediaDirection.RecvOnly));
        Assert.Contains("Opus", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sdp_extra_sections_are_rejected_with_port_zero()
    {
        var withVideo = ChromiumSendOffer.Replace("BUNDLE 0", "BUNDLE 0 1", StringComparison.Ordinal) +
            "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=rtpmap:96 VP8/90000\r\n";
        var offer = SessionDescription.Parse(withVideo);
        var answer = SdpAnswer.Create(offer, SdpAnswer.Negotiate(offer, MediaDirection.RecvOnly), new SdpAnswerOptions(MediaDirection.RecvOnly, "u1u1", "pwdpwdpwdpwdpwdpwdpwdpwd", DtlsCertificate.Shared.Fingerprint, [IceCandidate.Host(0, "127.0.0.1", 5000)], 1)).ToString();

        var lines = answer.Split("\r\n");
        Assert.Contains("m=video 0 UDP/TLS/RTP/SAVPF 96", lines);
        Assert.Contains("a=group:BUNDLE 0", lines);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("v=1\r\n")]
    [InlineData("v=0\r\nm=audio\r\n")]
    [InlineData("v=0\r\nm=audio 99999 UDP/TLS/RTP/SAVPF 111\r\n")]
    [InlineData("v=0\r\no=- 1\r\n")]
    [InlineData("v=0\r\ns=-\r\n")]
    [InlineData("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus\r\n")]
    [InlineData("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=fingerprint:sha-256 zz\r\n")]
    [InlineData("v=0\r\nx\r\n")]
    public void Sdp_malformed_offers_raise_sdp_parse_exception_only(string sdp)
    {
        Assert.False(SessionDescription.TryParse(sdp, out _, out var error));
        Assert.NotEmpty(error);
        Assert.Throws<SdpParseException>(() => SessionDescription.Parse(sdp));
    }

    [Fact]
    public void Sdp_offer_missing_ice_or_fingerprint_cannot_be_answered()
    {
        var noFingerprint = string.Join("\r\n", ChromiumSendOffer.Split("\r\n").Where(l => !l.StartsWith("a=fingerprint", StringComparison.Ordinal)));
        var error = Assert.Throws<SdpParseException>(() => SdpAnswer.Negotiate(SessionDescription.Parse(noFingerprint), MediaDirection.RecvOnly));
        Assert.Contains("fingerprint", error.Message, StringComparison.Ordinal);
    }
}
