using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AudioStream.MediaService.WebRtc.Client;
using AudioStream.MediaService.WebRtc.Sdp;
using AudioStream.MediaService.WebRtc.Stun;

namespace AudioStream.MediaService.WebRtc.Tests;

/// <summary>What one UDP sender can make the endpoint do: oversized datagrams, stolen addresses, checks for nobody.</summary>
public class EndpointAbuseTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_datagram_over_1500_bytes_is_dropped_at_the_socket_and_counted_while_the_same_check_under_it_is_answered()
    {
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions { BindAddress = IPAddress.Loopback });
        var (peer, answer) = endpoint.CreateIngestPeer(SdpTests.ChromiumSendOffer);
        var pwd = SessionDescription.Parse(answer).Media[0].IcePwd!;
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));

        await client.SendAsync(IceJitterOpusTests.BindingRequest($"{peer.Id}:EsAw", pwd, seed: 1, padding: 1600), endpoint.LocalEndPoint);
        await client.SendAsync(new byte[9000], endpoint.LocalEndPoint);
        var fits = IceJitterOpusTests.BindingRequest($"{peer.Id}:EsAw", pwd, seed: 2, padding: 1400);
        Assert.True(fits.Length <= 1500);
        await client.SendAsync(fits, endpoint.LocalEndPoint);

        var response = await client.ReceiveAsync(new CancellationTokenSource(Timeout).Token);
        Assert.Equal(fits.AsSpan(8, 12).ToArray(), StunMessage.Parse(response.Buffer).TransactionId.ToArray());
        Assert.Equal(2, endpoint.OversizedDropped);
        Assert.Equal(0, endpoint.MalformedDropped);
        Assert.Equal(1, peer.Counters.IceChecks);
    }

    [Fact]
    public async Task An_address_is_re_pointed_to_the_peer_whose_check_it_passes_last()
    {
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions { BindAddress = IPAddress.Loopback });
        var (first, firstAnswer) = endpoint.CreateIngestPeer(SdpTests.ChromiumSendOffer);
        var (second, secondAnswer) = endpoint.CreateIngestPeer(SdpTests.ChromiumSendOffer);
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await RobustnessTests.AssertAnsweredAsync(client, endpoint.LocalEndPoint, IceJitterOpusTests.BindingRequest($"{first.Id}:EsAw", SessionDescription.Parse(firstAnswer).Media[0].IcePwd!, seed: 1));

        // A check that fails MESSAGE-INTEGRITY moves nothing.
        await client.SendAsync(IceJitterOpusTests.BindingRequest($"{second.Id}:EsAw", "not-the-password-of-second", seed: 2), endpoint.LocalEndPoint);
        await RobustnessTests.AssertAnsweredAsync(client, endpoint.LocalEndPoint, IceJitterOpusTests.BindingRequest($"{second.Id}:EsAw", SessionDescription.Parse(secondAnswer).Media[0].IcePwd!, seed: 3));
        Assert.Equal(1, endpoint.StunUnauthenticated);

        // The same port now belongs to the second peer: a DTLS record from it reaches the second peer, not the first.
        await client.SendAsync(Convert.FromHexString("16fefd000000000000000000650100005900000000000000590100"), endpoint.LocalEndPoint);
        using var wait = new CancellationTokenSource(Timeout);
        while (second.Counters.DtlsIn == 0)
        {
            await Task.Delay(20, wait.Token);
        }

        Assert.Equal(0, first.Counters.DtlsIn);
    }

    [Fact]
    public async Task Twenty_four_peers_connect_through_two_handshake_threads_and_hold_no_thread_once_connected()
    {
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions { BindAddress = IPAddress.Loopback, DtlsHandshakeThreads = 2 });
        var clients = Enumerable.Range(0, 24).Select(_ => new WebRtcClient(sends: false)).ToList();
        try
        {
            int threadsBefore = Process.GetCurrentProcess().Threads.Count;
            var peers = clients.Select(c => endpoint.CreateEgressPeer(c.Offer)).ToList();
            await Task.WhenAll(clients.Zip(peers, (c, p) => c.ConnectAsync(p.AnswerSdp, TimeSpan.FromSeconds(30))));
            await Task.WhenAll(peers.Select(p => p.Peer.WaitConnectedAsync().WaitAsync(TimeSpan.FromSeconds(30))));

            Assert.Equal(2, endpoint.HandshakeWorkers.ThreadCount);
            Assert.Equal(0, endpoint.HandshakeWorkers.Queued);
            // Before, each peer's handshake thread stayed for its whole life (24 here, and a client's 24 more).
            int added = Process.GetCurrentProcess().Threads.Count - threadsBefore;
            Assert.True(added < 24, $"{added} threads more with 24 connected peers");

            // Connected sessions still hear the other side's close_notify without a thread of their own.
            var closed = new TaskCompletionSource<PeerCloseReason>(TaskCreationOptions.RunContinuationsAsynchronously);
            peers[0].Peer.Closed += (_, e) => closed.TrySetResult(e.Reason);
            clients[0].Dispose();
            Assert.Equal(PeerCloseReason.DtlsCloseNotify, await closed.Task.WaitAsync(Timeout));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Media_a_peer_holds_before_its_keys_is_bounded_in_bytes()
    {
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions { BindAddress = IPAddress.Loopback, PeerBufferBytes = 16 * 1024 });
        var (peer, answer) = endpoint.CreateIngestPeer(SdpTests.ChromiumSendOffer);
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await RobustnessTests.AssertAnsweredAsync(client, endpoint.LocalEndPoint, IceJitterOpusTests.BindingRequest($"{peer.Id}:EsAw", SessionDescription.Parse(answer).Media[0].IcePwd!, seed: 1));

        for (int i = 0; i < 200; i++)
        {
            await client.SendAsync(SrtpTests.MakeRtp((ushort)i, 5, 1400 - 12), endpoint.LocalEndPoint);
        }

        using var wait = new CancellationTokenSource(Timeout);
        while (endpoint.DatagramsReceived < 201)
        {
            await Task.Delay(20, wait.Token);
        }

        // At most 16 KB of 1400-byte packets (11) are kept for the keys; the rest are dropped and counted.
        await Task.Delay(100, wait.Token);
        Assert.True(peer.Counters.QueueDropped >= 200 - (16 * 1024 / 1400), $"{peer.Counters.QueueDropped} dropped");
    }

    [Fact]
    public void A_username_is_read_in_place_only_from_a_well_framed_binding_request()
    {
        var request = IceJitterOpusTests.BindingRequest("abcd:EsAw", "password-password-pass", seed: 1);
        Assert.True(StunMessage.TryFindBindingRequestUsername(request, out var username));
        Assert.Equal("abcd:EsAw"u8.ToArray(), username.ToArray());

        var lying = (byte[])request.Clone();
        lying[2] = 0x7F; // a message length the datagram does not hold
        Assert.False(StunMessage.TryFindBindingRequestUsername(lying, out _));
        var inflated = (byte[])request.Clone();
        inflated[StunMessage.HeaderLength + 3] = 0xFF; // USERNAME claims more bytes than there are
        Assert.False(StunMessage.TryFindBindingRequestUsername(inflated, out _));
        Assert.False(StunMessage.TryFindBindingRequestUsername(request.AsSpan(0, 19), out _));
    }
}
