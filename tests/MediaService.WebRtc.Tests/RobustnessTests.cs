using System.Net;
using System.Net.Sockets;
using AudioStream.MediaService.WebRtc.Dtls;
using AudioStream.MediaService.WebRtc.Ice;
using AudioStream.MediaService.WebRtc.Rtcp;
using AudioStream.MediaService.WebRtc.Rtp;
using AudioStream.MediaService.WebRtc.Sdp;
using AudioStream.MediaService.WebRtc.Stun;

namespace AudioStream.MediaService.WebRtc.Tests;

/// <summary>Random and mutated input through every parser and through the endpoint's receive path.</summary>
public class RobustnessTests
{
    private static readonly byte[][] Seeds =
    [
        StunTests.SampleRequest,
        SrtpTests.MakeRtp(1, 2, 40),
        Convert.FromHexString("81c8000caaaa0001010203040506070800000001000000020000000381ca0003aaaa0001010361626300"),
        Convert.FromHexString("16fefd000000000000000000650100005900000000000000590100"),
    ];

    [Fact]
    public void Parsers_survive_thousands_of_random_and_mutated_packets()
    {
        var random = new Random(20240601);
        for (int i = 0; i < 20000; i++)
        {
            var data = Mutate(random, i);
            if (StunMessage.TryParse(data, out var stun))
            {
                _ = stun.Username;
                _ = stun.XorMappedAddress;
                stun.VerifyMessageIntegrity("key"u8);
                stun.VerifyFingerprint();
            }

            if (RtpPacket.TryParse(data, out var rtp))
            {
                _ = rtp.Payload.Length + rtp.ExtensionData.Length + rtp.ExtensionProfile;
            }

            if (RtcpCompound.TryParse(data, out var rtcp, out _))
            {
                Assert.True(rtcp.PacketCount > 0);
            }
        }
    }

    [Fact]
    public void Sdp_parser_survives_mutated_offers()
    {
        var random = new Random(77);
        var lines = SdpTests.ChromiumSendOffer.Split("\r\n");
        for (int i = 0; i < 3000; i++)
        {
            var mutated = lines.ToList();
            for (int m = 0; m < 1 + random.Next(4); m++)
            {
                int at = random.Next(mutated.Count);
                switch (random.Next(4))
                {
                    case 0:
                        mutated.RemoveAt(at);
                        break;
                    case 1:
                        mutated[at] = new string(mutated[at].Select(c => random.Next(10) == 0 ? (char)random.Next(32, 127) : c).ToArray());
                        break;
                    case 2:
                        mutated.Insert(at, mutated[random.Next(mutated.Count)]);
                        break;
                    default:
                        mutated[at] = mutated[at][..random.Next(mutated[at].Length + 1)];
                        break;
                }
            }

            var text = string.Join(random.Next(2) == 0 ? "\r\n" : "\n", mutated);
            if (!SessionDescription.TryParse(text, out var offer, out _))
            {
                continue;
            }

            SdpNegotiation negotiation;
            try
            {
                negotiation = SdpAnswer.Negotiate(offer, MediaDirection.RecvOnly);
            }
            catch (SdpParseException)
            {
                continue; // the only failure allowed
            }

            // Whatever was accepted gets an answer that is itself valid SDP.
            var answer = SdpAnswer.Create(offer, negotiation, new SdpAnswerOptions(
                MediaDirection.RecvOnly, "abcd", "pwdpwdpwdpwdpwdpwdpwdpwd", DtlsCertificate.Shared.Fingerprint, [IceCandidate.Host(0, "127.0.0.1", 9)], 1));
            Assert.True(SessionDescription.TryParse(answer.ToString(), out _, out var error), error);
        }
    }

    [Fact]
    public async Task Endpoint_keeps_serving_through_a_flood_of_garbage()
    {
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions { BindAddress = IPAddress.Loopback });
        var (peer, answer) = endpoint.CreateIngestPeer(SdpTests.ChromiumSendOffer);
        var pwd = SessionDescription.Parse(answer).Media[0].IcePwd!;
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var stranger = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var target = endpoint.LocalEndPoint;

        // A valid check makes the client's address the peer's.
        await AssertAnsweredAsync(client, target, IceJitterOpusTests.BindingRequest($"{peer.Id}:EsAw", pwd, seed: 1));
        Assert.Equal(PeerState.Connecting, peer.State);

        var random = new Random(99);
        for (int i = 0; i < 4000; i++)
        {
            var data = Mutate(random, i);
            // DTLS-looking garbage only from the stranger: from the peer's own address it would (rightly) end the handshake.
            bool dtls = data.Length > 0 && data[0] is >= 20 and <= 63;
            await (dtls || i % 3 == 0 ? stranger : client).SendAsync(data, target);
        }

        // Also a burst of well-formed but unauthenticated SRTP from the peer's address: dropped, counted.
        for (int i = 0; i < 500; i++)
        {
            var rtp = SrtpTests.MakeRtp((ushort)i, 5, 60);
            await client.SendAsync(rtp, target);
        }

        await AssertAnsweredAsync(client, target, IceJitterOpusTests.BindingRequest($"{peer.Id}:EsAw", pwd, seed: 2));

        // The second peer on the same port is untouched by all of this.
        var (other, otherAnswer) = endpoint.CreateEgressPeer(SdpTests.ChromiumSendOffer.Replace("a=sendonly", "a=recvonly", StringComparison.Ordinal));
        using var otherClient = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await AssertAnsweredAsync(otherClient, target, IceJitterOpusTests.BindingRequest($"{other.Id}:EsAw", SessionDescription.Parse(otherAnswer).Media[0].IcePwd!, seed: 3));

        Assert.True(endpoint.DatagramsReceived >= 4500);
        Assert.True(endpoint.MalformedDropped + endpoint.UnroutableDropped > 0);
        Assert.NotEqual(PeerState.Closed, peer.State);
        Assert.NotEqual(PeerState.Closed, other.State);
    }

    [Fact]
    public async Task Dtls_garbage_from_the_peer_address_does_not_crash_the_endpoint()
    {
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions { BindAddress = IPAddress.Loopback });
        var (peer, answer) = endpoint.CreateIngestPeer(SdpTests.ChromiumSendOffer);
        var pwd = SessionDescription.Parse(answer).Media[0].IcePwd!;
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await AssertAnsweredAsync(client, endpoint.LocalEndPoint, IceJitterOpusTests.BindingRequest($"{peer.Id}:EsAw", pwd, seed: 1));

        var random = new Random(5);
        for (int i = 0; i < 300; i++)
        {
            var data = new byte[random.Next(1, 300)];
            random.NextBytes(data);
            data[0] = (byte)random.Next(20, 64);
            if (i % 2 == 0 && data.Length > 13)
            {
                data[0] = 22;
                data[1] = 0xFE;
                data[2] = 0xFD;
            }

            await client.SendAsync(data, endpoint.LocalEndPoint);
        }

        await Task.Delay(300);
        // Whatever BouncyCastle made of it, the peer either waits on or closed as a DTLS failure, and the port still answers.
        Assert.True(peer.State != PeerState.Closed || peer.CloseReason == PeerCloseReason.DtlsFailed);
        var (fresh, freshAnswer) = endpoint.CreateIngestPeer(SdpTests.ChromiumSendOffer);
        using var freshClient = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await AssertAnsweredAsync(freshClient, endpoint.LocalEndPoint, IceJitterOpusTests.BindingRequest($"{fresh.Id}:EsAw", SessionDescription.Parse(freshAnswer).Media[0].IcePwd!, seed: 9));
    }

    [Fact]
    public async Task Disposing_a_peer_closes_it_with_the_reason()
    {
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions { BindAddress = IPAddress.Loopback });
        var (peer, _) = endpoint.CreateIngestPeer(SdpTests.ChromiumSendOffer);
        var closed = new TaskCompletionSource<PeerCloseReason>();
        peer.Closed += (_, e) => closed.TrySetResult(e.Reason);

        peer.Dispose();

        Assert.Equal(PeerCloseReason.Disposed, await closed.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(PeerState.Closed, peer.State);
        Assert.Empty(endpoint.Peers);
        Assert.True(peer.Frames.Completion.IsCompleted);
    }

    internal static async Task AssertAnsweredAsync(UdpClient client, IPEndPoint target, byte[] request)
    {
        await client.SendAsync(request, target);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (true)
        {
            var result = await client.ReceiveAsync(timeout.Token);
            if (StunMessage.TryParse(result.Buffer, out var response) && response.TransactionId.SequenceEqual(request.AsSpan(8, 12)))
            {
                Assert.Equal(StunMessageType.BindingSuccessResponse, response.Type);
                Assert.Equal(client.Client.LocalEndPoint, response.XorMappedAddress);
                return;
            }
        }
    }

    private static byte[] Mutate(Random random, int i)
    {
        if (i % 4 == 0)
        {
            var data = new byte[random.Next(0, 400)];
            random.NextBytes(data);
            return data;
        }

        var seed = Seeds[random.Next(Seeds.Length)];
        var mutated = (byte[])seed.Clone();
        int flips = 1 + random.Next(6);
        for (int f = 0; f < flips && mutated.Length > 0; f++)
        {
            mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
        }

        if (random.Next(3) == 0)
        {
            Array.Resize(ref mutated, random.Next(mutated.Length + 40));
        }

        return mutated;
    }
}
