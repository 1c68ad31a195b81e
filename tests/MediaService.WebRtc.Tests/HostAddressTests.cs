using System.Net;
using System.Net.Sockets;
using AudioStream.MediaService.WebRtc.Client;
using AudioStream.MediaService.WebRtc.Ice;
using AudioStream.MediaService.WebRtc.Sdp;
using AudioStream.MediaService.WebRtc.Stun;

namespace AudioStream.MediaService.WebRtc.Tests;

/// <summary>Which addresses an answer offers (<c>auto</c>), and that each is answered from itself.</summary>
public class HostAddressTests
{
    private static readonly LocalInterface Loopback = new("lo", true, true, [IPAddress.Loopback, IPAddress.IPv6Loopback]);

    private static readonly LocalInterface Ethernet = new("eth0", true, false,
        [IPAddress.Parse("192.168.1.20"), IPAddress.Parse("2001:db8::20"), IPAddress.Parse("fe80::1%2")]);

    private static readonly LocalInterface[] Machine =
    [
        Loopback,
        Ethernet,
        new("wlan0", false, false, [IPAddress.Parse("192.168.1.30")]),
        new("docker0", true, false, [IPAddress.Parse("172.17.0.1")]),
        new("br-5f2a9c", true, false, [IPAddress.Parse("172.18.0.1")]),
        new("virbr0", true, false, [IPAddress.Parse("192.168.122.1")]),
        new("veth-as1", true, false, [IPAddress.Parse("10.77.0.1")]),
        new("eth1", true, false, [IPAddress.Parse("169.254.10.20"), IPAddress.Parse("fd00::7")]),
        new("wg0", true, false, [IPAddress.Parse("10.8.0.2")]),
    ];

    [Fact]
    public void Every_up_routable_address_is_offered_ipv4_first_without_loopback_link_local_or_bridges()
    {
        var selected = new HostAddressSelector().Select(Machine, includeLoopback: false);

        Assert.Equal(
            ["192.168.1.20", "10.77.0.1", "10.8.0.2", "2001:db8::20", "fd00::7"],
            selected.Select(a => a.ToString()));
    }

    [Fact]
    public void A_client_on_this_machine_is_offered_loopback_first()
    {
        var selected = new HostAddressSelector().Select(Machine, includeLoopback: true);

        Assert.Equal(["127.0.0.1", "::1", "192.168.1.20"], selected.Take(3).Select(a => a.ToString()));
        Assert.Equal(7, selected.Count);
    }

    [Fact]
    public void Ipv6_can_be_left_out_and_bridge_patterns_replaced()
    {
        var selector = new HostAddressSelector(["veth*", "WG?"], includeIPv6: false);

        var selected = selector.Select(Machine, includeLoopback: true);

        // Custom patterns replace the defaults (docker0 is offered again), match case-insensitively, and v6 is gone.
        Assert.Equal(["127.0.0.1", "192.168.1.20", "172.17.0.1", "172.18.0.1", "192.168.122.1"], selected.Select(a => a.ToString()));
        Assert.True(selector.IsExcluded("wg0"));
        Assert.False(selector.IsExcluded("wg10"));
    }

    [Fact]
    public void An_interface_that_goes_down_or_away_is_no_longer_offered()
    {
        var interfaces = new List<LocalInterface>(Machine);
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions { NetworkInterfaces = () => interfaces, AdvertiseIPv6 = false });
        Assert.Contains(endpoint.GetHostCandidates(), c => c.Address == "10.77.0.1");

        interfaces.RemoveAll(i => i.Name == "veth-as1");
        interfaces[1] = Ethernet with { IsUp = false };

        Assert.Equal(["10.8.0.2"], endpoint.GetHostCandidates().Select(c => c.Address));
    }

    [Fact]
    public void The_public_address_is_offered_last_with_the_advertised_port()
    {
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions
        {
            NetworkInterfaces = () => [Loopback, Ethernet],
            PublicAddress = "203.0.113.9",
            AdvertisedPort = 40000,
            AdvertiseIPv6 = false,
        });

        var candidates = endpoint.GetHostCandidates(IPAddress.Parse("198.51.100.4"));

        Assert.Equal(["192.168.1.20", "203.0.113.9"], candidates.Select(c => c.Address));
        Assert.Equal([endpoint.LocalEndPoint.Port, 40000], candidates.Select(c => c.Port));
        Assert.True(candidates[0].Priority > candidates[1].Priority);
        Assert.NotEqual(candidates[0].Foundation, candidates[1].Foundation);
    }

    [Fact]
    public void A_machine_without_a_network_still_answers_with_loopback()
    {
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions { NetworkInterfaces = () => [Loopback], AdvertiseIPv6 = false });

        Assert.Equal(["127.0.0.1"], endpoint.GetHostCandidates(IPAddress.Parse("192.0.2.50")).Select(c => c.Address));
    }

    [Fact]
    public void An_explicit_address_or_a_specific_bind_address_is_the_only_candidate()
    {
        using var configured = new WebRtcEndpoint(new WebRtcEndpointOptions { AdvertisedAddress = "198.51.100.1", NetworkInterfaces = () => Machine });
        using var bound = new WebRtcEndpoint(new WebRtcEndpointOptions { BindAddress = IPAddress.Loopback, NetworkInterfaces = () => Machine });

        Assert.Equal(["198.51.100.1"], configured.GetHostCandidates(IPAddress.Loopback).Select(c => c.Address));
        Assert.Equal(["127.0.0.1"], bound.GetHostCandidates().Select(c => c.Address));
        Assert.Throws<ArgumentException>(() => new WebRtcEndpoint(new WebRtcEndpointOptions { PublicAddress = "friends.example" }));
    }

    [Fact]
    public void A_loopback_request_gets_an_answer_with_every_address_and_the_first_in_the_c_line()
    {
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions { NetworkInterfaces = () => Machine, AdvertiseIPv6 = false });

        var (_, answer) = endpoint.CreateEgressPeer(SdpTests.ChromiumSendOffer.Replace("a=sendonly", "a=recvonly", StringComparison.Ordinal), IPAddress.Loopback);

        var lines = answer.Split("\r\n");
        Assert.Contains("c=IN IP4 127.0.0.1", lines);
        Assert.Contains($"m=audio {endpoint.LocalEndPoint.Port} UDP/TLS/RTP/SAVPF 111", lines);
        var candidates = SessionDescription.Parse(answer).Media[0].Candidates;
        Assert.Equal(["127.0.0.1", "192.168.1.20", "10.77.0.1", "10.8.0.2"], candidates.Select(c => c.Address));
        Assert.Equal(4, lines.Count(l => l.StartsWith("a=candidate:", StringComparison.Ordinal)));
    }

    /// <summary>
    /// Two addresses of one machine (127.0.0.1 and 127.0.0.2 stand in for two LAN interfaces): a check sent to either is
    /// answered from that same address, as ICE requires (RFC 8445 §7.2.5.2.1), not from whichever the route picks.
    /// </summary>
    [Fact]
    public async Task A_check_is_answered_from_the_address_it_was_sent_to()
    {
        var second = IPAddress.Parse("127.0.0.2");
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions
        {
            NetworkInterfaces = () => [new LocalInterface("lo", true, true, [IPAddress.Loopback, second])],
        });
        var (peer, answer) = endpoint.CreateIngestPeer(SdpTests.ChromiumSendOffer, IPAddress.Loopback);
        var pwd = SessionDescription.Parse(answer).Media[0].IcePwd!;
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));

        foreach (var (target, seed) in new[] { (IPAddress.Loopback, (byte)1), (second, (byte)2), (second, (byte)3) })
        {
            var to = new IPEndPoint(target, endpoint.LocalEndPoint.Port);
            await client.SendAsync(IceJitterOpusTests.BindingRequest($"{peer.Id}:EsAw", pwd, useCandidate: seed == 3, seed: seed), to);
            var reply = await client.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(5));

            Assert.Equal(to, reply.RemoteEndPoint);
            Assert.Equal(StunMessageType.BindingSuccessResponse, StunMessage.Parse(reply.Buffer).Type);
        }

        // Media leaves on the first answered path until the browser nominates one (the third check): then on that.
        Assert.Equal(new IPEndPoint(second, endpoint.LocalEndPoint.Port), peer.LocalEndPoint);
        Assert.Equal(client.Client.LocalEndPoint, peer.RemoteEndPoint);
    }

    [Fact]
    public async Task A_client_connects_through_the_candidate_it_can_reach_among_several()
    {
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions
        {
            // 198.51.100.7 is not this machine's: offered (the wildcard socket would hear it), never answered.
            NetworkInterfaces = () => [new LocalInterface("eth9", true, false, [IPAddress.Parse("198.51.100.7")]), Loopback],
            AdvertiseIPv6 = false,
        });
        using var client = new WebRtcClient(sends: false);
        var (peer, answer) = endpoint.CreateEgressPeer(client.Offer, IPAddress.Loopback);
        Assert.Equal(2, SessionDescription.Parse(answer).Media[0].Candidates.Count);

        await client.ConnectAsync(answer, TimeSpan.FromSeconds(15));
        await peer.WaitConnectedAsync().WaitAsync(TimeSpan.FromSeconds(15));
        Assert.True(peer.SendFrame(new float[960]));
        await WebRtcClientTests.WaitUntilAsync(() => client.PacketsReceived == 1);

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, endpoint.LocalEndPoint.Port), client.ServerEndPoint);
        Assert.Equal(client.ServerEndPoint, peer.LocalEndPoint);
    }

    [SkippableFact]
    public async Task Ipv6_candidates_carry_media_over_udp_and_tcp()
    {
        Skip.IfNot(Socket.OSSupportsIPv6, "this machine has no IPv6");
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions { NetworkInterfaces = () => [Loopback], TcpPort = 0 });
        var candidates = endpoint.GetHostCandidates(IPAddress.IPv6Loopback);
        Assert.Equal(["udp 127.0.0.1", "udp ::1", "tcp 127.0.0.1", "tcp ::1"], candidates.Select(c => $"{c.Transport} {c.Address}"));

        foreach (bool overTcp in new[] { false, true })
        {
            using var client = new WebRtcClient(sends: false, bindAddress: IPAddress.IPv6Loopback, overTcp: overTcp);
            var (peer, answer) = endpoint.CreateEgressPeer(client.Offer, IPAddress.IPv6Loopback);
            await client.ConnectAsync(answer, TimeSpan.FromSeconds(15));
            await peer.WaitConnectedAsync().WaitAsync(TimeSpan.FromSeconds(15));
            Assert.True(peer.SendFrame(new float[960]));
            await WebRtcClientTests.WaitUntilAsync(() => client.PacketsReceived == 1);

            Assert.Equal(IPAddress.IPv6Loopback, peer.LocalEndPoint!.Address);
            Assert.Equal(overTcp ? endpoint.TcpLocalEndPoint!.Port : endpoint.LocalEndPoint.Port, peer.LocalEndPoint.Port);
        }

        // An IPv4 client of the dual-stack TCP listener is told its IPv4 address, not a v4-mapped IPv6 one.
        using var v4 = new WebRtcClient(sends: false, overTcp: true);
        var (v4Peer, v4Answer) = endpoint.CreateEgressPeer(v4.Offer, IPAddress.Loopback);
        await v4.ConnectAsync(v4Answer, TimeSpan.FromSeconds(15));
        await v4Peer.WaitConnectedAsync().WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(AddressFamily.InterNetwork, v4Peer.RemoteEndPoint!.AddressFamily);
    }
}
