using System.Net;
using AudioStream.MediaService.WebRtc.Dtls;
using AudioStream.MediaService.WebRtc.Ice;
using AudioStream.MediaService.WebRtc.Sdp;

namespace AudioStream.MediaService.WebRtc.Tests;

public class SessionDescriptionTests
{
    [Fact]
    public void An_answer_carries_every_candidate_and_the_c_line_takes_the_first()
    {
        var offer = SessionDescription.Parse(SdpTests.ChromiumSendOffer);
        IceCandidate[] candidates =
        [
            IceCandidate.Host(0, IPAddress.Parse("192.168.1.20"), 40000),
            IceCandidate.Host(1, IPAddress.Parse("2001:db8::20"), 40000),
            IceCandidate.Host(2, IPAddress.Parse("203.0.113.9"), 41000),
        ];

        var answer = SdpAnswer.Create(offer, SdpAnswer.Negotiate(offer, MediaDirection.RecvOnly),
            new SdpAnswerOptions(MediaDirection.RecvOnly, "uFrg", "pwdpwdpwdpwdpwdpwdpwdpwd", DtlsCertificate.Shared.Fingerprint, candidates, 7)).ToString();

        var lines = answer.Split("\r\n");
        Assert.Contains("c=IN IP4 192.168.1.20", lines);
        Assert.Contains("m=audio 40000 UDP/TLS/RTP/SAVPF 111", lines);
        Assert.Equal(
            [
                "a=candidate:1 1 udp 2130706431 192.168.1.20 40000 typ host",
                "a=candidate:2 1 udp 2130706175 2001:db8::20 40000 typ host",
                "a=candidate:3 1 udp 2130705919 203.0.113.9 41000 typ host",
            ],
            lines.Where(l => l.StartsWith("a=candidate:", StringComparison.Ordinal)));
        Assert.Equal("a=end-of-candidates", lines[^2]);
        Assert.Equal(candidates, SessionDescription.Parse(answer).Media[0].Candidates);
    }

    [Fact]
    public void An_ipv6_first_candidate_gives_an_ip6_c_line()
    {
        var offer = SessionDescription.Parse(SdpTests.ChromiumSendOffer);
        var answer = SdpAnswer.Create(offer, SdpAnswer.Negotiate(offer, MediaDirection.RecvOnly), new SdpAnswerOptions(
            MediaDirection.RecvOnly, "uFrg", "pwdpwdpwdpwdpwdpwdpwdpwd", DtlsCertificate.Shared.Fingerprint, [IceCandidate.Host(0, IPAddress.Parse("fd00::2"), 5000)], 1));

        Assert.Equal("fd00::2", answer.Media[0].ConnectionAddress);
        Assert.Contains("c=IN IP6 fd00::2", answer.ToString().Split("\r\n"));
    }

    [Fact]
    public void What_is_written_reads_back_the_same()
    {
        var parsed = SessionDescription.Parse(SdpTests.ChromiumSendOffer);
        var written = parsed.ToString();
        var again = SessionDescription.Parse(written);

        Assert.Equal(written, again.ToString());
        var audio = again.Media[0];
        Assert.Equal("4611731400430051336", again.SessionId);
        Assert.Equal(["0"], again.BundleMids);
        Assert.Equal(MediaDirection.SendOnly, audio.Direction);
        Assert.Equal("stream track", audio.Msid);
        Assert.Equal(8, audio.RtpMaps.Count);
        Assert.Equal("111/111", audio.Fmtps[63]);
        Assert.Contains("ssrc:1001 cname:abc", audio.Attributes);
        Assert.Contains("extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level", audio.Attributes);
        Assert.Contains("extmap-allow-mixed", again.Attributes);
        Assert.Equal("127.0.0.1", Assert.Single(audio.Candidates).Address);
    }

    [Theory]
    [InlineData("1 1 udp 2113937151 192.168.1.5 54321 typ host generation 0 network-cost 999", "udp", "192.168.1.5", 54321, null)]
    [InlineData("842163049 1 udp 1677729535 203.0.113.2 3478 typ srflx raddr 0.0.0.0 rport 0 generation 0", "udp", "203.0.113.2", 3478, null)]
    [InlineData("3 1 TCP 1518280447 10.0.0.5 9 typ host tcptype active generation 0", "tcp", "10.0.0.5", 9, "active")]
    [InlineData("1 1 udp 2122260223 3bd9b2a1-1c2d-4e5f-8a9b-0c1d2e3f4a5b.local 50000 typ host", "udp", "3bd9b2a1-1c2d-4e5f-8a9b-0c1d2e3f4a5b.local", 50000, null)]
    public void Browser_candidates_are_read(string line, string transport, string address, int port, string? tcpType)
    {
        Assert.True(IceCandidate.TryParse(line, out var candidate));

        Assert.Equal(transport, candidate.Transport);
        Assert.Equal(address, candidate.Address);
        Assert.Equal(port, candidate.Port);
        Assert.Equal(tcpType, candidate.TcpType);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1 1 udp 2113937151 192.168.1.5 54321 host")]
    [InlineData("1 1 udp 2113937151 192.168.1.5 99999 typ host")]
    [InlineData("1 0 udp 2113937151 192.168.1.5 5000 typ host")]
    [InlineData("1 1 udp -5 192.168.1.5 5000 typ host")]
    [InlineData("1 1 udp 99999999999 192.168.1.5 5000 typ host")]
    public void Unreadable_candidates_are_refused(string line)
    {
        Assert.False(IceCandidate.TryParse(line, out _));
    }

    [Fact]
    public void Unreadable_or_excess_candidates_in_an_offer_are_left_out_not_fatal()
    {
        var sdp = SdpTests.ChromiumSendOffer
            + "a=candidate:garbage\r\n"
            + string.Concat(Enumerable.Range(0, 100).Select(i => $"a=candidate:{i} 1 udp 1 10.0.0.1 {1000 + i} typ host\r\n"));

        var offer = SessionDescription.Parse(sdp);

        Assert.Equal(64, offer.Media[0].Candidates.Count);
    }

    [Fact]
    public void Host_priorities_follow_rfc_8445_and_tcp_ranks_below_every_udp_candidate()
    {
        // RFC 8445 §5.1.2.1 with type preference 126, local preference 65535, component 1.
        Assert.Equal(2130706431u, IceCandidate.Host(0, IPAddress.Loopback, 1).Priority);
        var lastUdp = IceCandidate.Host(1023, IPAddress.Loopback, 1);
        var tcp = IceCandidate.Host(0, IPAddress.Loopback, 1, IceCandidate.TransportTcp, "passive");

        Assert.True(tcp.Priority < lastUdp.Priority);
        Assert.Equal("1024 1 tcp 2124414975 127.0.0.1 1 typ host tcptype passive", tcp.ToString());
    }
}
