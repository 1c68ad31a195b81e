using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using AudioStream.MediaService.WebRtc.Client;
using AudioStream.MediaService.WebRtc.Ice;
using AudioStream.MediaService.WebRtc.Opus;
using AudioStream.MediaService.WebRtc.Sdp;
using AudioStream.MediaService.WebRtc.Stun;

namespace AudioStream.MediaService.WebRtc.Tests;

/// <summary>ICE-TCP (RFC 6544 passive candidates, RFC 4571 framing): a client that cannot send UDP still connects.</summary>
public class IceTcpTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public void An_answer_offers_a_passive_tcp_candidate_per_address_below_the_udp_ones()
    {
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions { BindAddress = IPAddress.Loopback, TcpPort = 0, PublicAddress = "203.0.113.9" });

        var candidates = endpoint.GetHostCandidates();

        Assert.Equal(
            [
                $"1 1 udp 2130706431 127.0.0.1 {endpoint.LocalEndPoint.Port} typ host",
                $"2 1 udp 2130706175 203.0.113.9 {endpoint.LocalEndPoint.Port} typ host",
                $"1024 1 tcp 2124414975 127.0.0.1 {endpoint.TcpLocalEndPoint!.Port} typ host tcptype passive",
                $"1025 1 tcp 2124414719 203.0.113.9 {endpoint.TcpLocalEndPoint!.Port} typ host tcptype passive",
            ],
            candidates.Select(c => c.ToString()));
    }

    [Fact]
    public async Task A_client_without_udp_sends_audio_over_tcp_and_its_hang_up_closes_the_peer()
    {
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions { BindAddress = IPAddress.Loopback, TcpPort = 0 });
        using var client = new WebRtcClient(sends: true, overTcp: true);
        var (peer, answer) = endpoint.CreateIngestPeer(client.Offer);

        await client.ConnectAsync(answer, Timeout);
        await peer.WaitConnectedAsync().WaitAsync(Timeout);
        Assert.Equal(endpoint.TcpLocalEndPoint, peer.LocalEndPoint);
        Assert.Equal(endpoint.TcpLocalEndPoint, client.ServerEndPoint);

        var tone = Signal.Chirp(48000);
        var encoder = new OpusAudioEncoder();
        var packet = new byte[OpusAudioEncoder.MaxPacketBytes];
        using (var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20)))
        {
            for (int i = 0; i < 25; i++)
            {
                Assert.True(client.SendOpus(packet.AsSpan(0, encoder.Encode(tone.AsSpan(i * 960, 960), packet))));
                await timer.WaitForNextTickAsync();
            }
        }

        using var read = new CancellationTokenSource(Timeout);
        int frames = 0;
        while (frames < 20)
        {
            Assert.False((await peer.Frames.ReadAsync(read.Token)).Concealed);
            frames++;
        }

        Assert.Equal(0, peer.Counters.SrtpAuthFailures);
        var closed = new TaskCompletionSource<PeerCloseReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        peer.Closed += (_, e) => closed.TrySetResult(e.Reason);
        client.Dispose();
        Assert.Equal(PeerCloseReason.DtlsCloseNotify, await closed.Task.WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_tcp_listener_hears_the_egress_peer_and_sees_the_server_hang_up()
    {
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions { BindAddress = IPAddress.Loopback, TcpPort = 0 });
        using var client = new WebRtcClient(sends: false, overTcp: true);
        var (peer, answer) = endpoint.CreateEgressPeer(client.Offer);
        await client.ConnectAsync(answer, Timeout);
        await peer.WaitConnectedAsync().WaitAsync(Timeout);

        for (int i = 0; i < 10; i++)
        {
            Assert.True(peer.SendFrame(new float[960]));
        }

        await WebRtcClientTests.WaitUntilAsync(() => client.PacketsReceived == 10);
        peer.Dispose();
        await client.Closed.WaitAsync(Timeout);
    }

    [Fact]
    public async Task Connections_that_do_not_start_with_a_valid_check_are_closed_and_the_port_keeps_serving()
    {
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions { BindAddress = IPAddress.Loopback, TcpPort = 0 });
        var (peer, answer) = endpoint.CreateIngestPeer(SdpTests.ChromiumSendOffer);
        var pwd = SessionDescription.Parse(answer).Media[0].IcePwd!;
        var target = endpoint.TcpLocalEndPoint!;

        // DTLS before any check; a check with the wrong password; a frame longer than any WebRTC packet; raw garbage.
        byte[][] openings =
        [
            Frame([22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]),
            Frame(IceJitterOpusTests.BindingRequest($"{peer.Id}:EsAw", "not-the-password-at-all")),
            [0xFF, 0xFF, .. new byte[100]],
            [0x47, 0x45, 0x54, 0x20, 0x2F, 0x20, 0x48, 0x54, 0x54, 0x50, 0x0D, 0x0A],
        ];
        foreach (var opening in openings)
        {
            using var stranger = new TcpClient(AddressFamily.InterNetwork);
            await stranger.ConnectAsync(target);
            await stranger.GetStream().WriteAsync(opening);
            var buffer = new byte[64];
            using var deadline = new CancellationTokenSource(Timeout);
            // The server closes the connection (end of stream) without answering anything.
            Assert.Equal(0, await stranger.GetStream().ReadAsync(buffer, deadline.Token));
        }

        // A valid check on a fresh connection is answered, framed.
        using var client = new TcpClient(AddressFamily.InterNetwork);
        await client.ConnectAsync(target);
        var stream = client.GetStream();
        await stream.WriteAsync(Frame(IceJitterOpusTests.BindingRequest($"{peer.Id}:EsAw", pwd)));
        var header = new byte[2];
        await stream.ReadExactlyAsync(header);
        var response = new byte[BinaryPrimitives.ReadUInt16BigEndian(header)];
        await stream.ReadExactlyAsync(response);
        Assert.Equal(StunMessageType.BindingSuccessResponse, StunMessage.Parse(response).Type);
        Assert.Equal(client.Client.LocalEndPoint, StunMessage.Parse(response).XorMappedAddress);
        Assert.Equal(PeerState.Connecting, peer.State);
    }

    private static byte[] Frame(byte[] packet)
    {
        var frame = new byte[2 + packet.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)packet.Length);
        packet.CopyTo(frame, 2);
        return frame;
    }
}
