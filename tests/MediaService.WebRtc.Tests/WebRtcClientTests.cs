using System.Net;
using AudioStream.MediaService.WebRtc.Client;
using AudioStream.MediaService.WebRtc.Opus;

namespace AudioStream.MediaService.WebRtc.Tests;

/// <summary>The C# client (used by the load benchmark) against the server's own endpoint: WHIP in, WHEP out, hang-ups.</summary>
public class WebRtcClientTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_client_sender_reaches_an_ingest_peer_as_the_pcm_it_encoded()
    {
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions { BindAddress = IPAddress.Loopback });
        using var client = new WebRtcClient(sends: true);
        var (peer, answer) = endpoint.CreateIngestPeer(client.Offer);
        await client.ConnectAsync(answer, Timeout);
        await peer.WaitConnectedAsync().WaitAsync(Timeout);

        // 1 s of a sweep, encoded as a browser would, sent in real time.
        var tone = Signal.Chirp(48000);
        var encoder = new OpusAudioEncoder();
        var packet = new byte[OpusAudioEncoder.MaxPacketBytes];
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        for (int i = 0; i < 50; i++)
        {
            int length = encoder.Encode(tone.AsSpan(i * 960, 960), packet);
            Assert.True(client.SendOpus(packet.AsSpan(0, length)));
            await timer.WaitForNextTickAsync();
        }

        var received = new List<float>();
        using var read = new CancellationTokenSource(Timeout);
        while (received.Count < 45 * 960)
        {
            received.AddRange((await peer.Frames.ReadAsync(read.Token)).Samples);
        }

        Assert.Equal(50, client.PacketsSent);
        Assert.Equal(0, peer.Counters.SrtpAuthFailures);

        // The server's receiver report (every 2 s) says what arrived: up to our last sequence number, nothing lost.
        await WaitUntilAsync(() => client.LastReceiverReport is { } report && (ushort)report.HighestSequence == client.LastSequenceSent);
        var block = client.LastReceiverReport!.Value;
        Assert.Equal(0, block.CumulativeLost);
        Assert.Equal(0, block.FractionLost);
        Assert.True(peer.Counters.RtcpOut >= 1);
        // Opus delays the tone a few ms; the best-aligned correlation over 200 ms is near 1.
        double r = Signal.BestCorrelation(tone.Skip(9600).Take(9600).ToArray(), received.Skip(9600).Take(9600 + 960).ToArray(), 960);
        Assert.True(r > 0.9, $"correlation {r:F3}");

        var closed = new TaskCompletionSource<PeerCloseReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        peer.Closed += (_, e) => closed.TrySetResult(e.Reason);
        client.Dispose();
        Assert.Equal(PeerCloseReason.DtlsCloseNotify, await closed.Task.WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_client_receiver_gets_every_frame_an_egress_peer_sends_and_sees_the_hang_up()
    {
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions { BindAddress = IPAddress.Loopback });
        using var client = new WebRtcClient(sends: false);
        var decoder = new OpusAudioDecoder();
        var pcm = new float[OpusAudioDecoder.MaxFrameSamples];
        var received = new List<float>();
        var sequences = new List<ushort>();
        client.RtpReceived = (sequence, _, payload, _) =>
        {
            int samples = decoder.Decode(payload, pcm);
            lock (received)
            {
                sequences.Add(sequence);
                received.AddRange(pcm.AsSpan(0, samples));
            }
        };
        var (peer, answer) = endpoint.CreateEgressPeer(client.Offer);
        await client.ConnectAsync(answer, Timeout);
        await peer.WaitConnectedAsync().WaitAsync(Timeout);

        var tone = Signal.Chirp(48000);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        for (int i = 0; i < 50; i++)
        {
            Assert.True(peer.SendFrame(tone.AsSpan(i * 960, 960)));
            await timer.WaitForNextTickAsync();
        }

        await WaitUntilAsync(() => client.PacketsReceived == 50);
        lock (received)
        {
            Assert.Equal(Enumerable.Range(0, 50).Select(i => (ushort)(sequences[0] + i)), sequences);
            double r = Signal.BestCorrelation(tone.Skip(9600).Take(9600).ToArray(), received.Skip(9600).Take(9600 + 960).ToArray(), 960);
            Assert.True(r > 0.9, $"correlation {r:F3}");
        }

        Assert.Equal(0, client.SrtpAuthFailures);

        // Sender reports (every 2 s) count what was sent and carry the wall-clock time.
        await WaitUntilAsync(() => client.LastSenderReport is { PacketCount: 50 });
        var ntpNow = Rtcp.RtcpCompound.ToNtp(DateTimeOffset.UtcNow) >> 32;
        Assert.InRange((long)(client.LastSenderReport!.Value.NtpTimestamp >> 32), (long)ntpNow - 5, (long)ntpNow + 1);
        Assert.True(client.LastSenderReport!.Value.OctetCount > 50 * 20);
        peer.Dispose();
        await client.Closed.WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_client_refuses_a_server_whose_certificate_does_not_match_the_answer()
    {
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions { BindAddress = IPAddress.Loopback });
        using var client = new WebRtcClient(sends: true);
        var (peer, answer) = endpoint.CreateIngestPeer(client.Offer);
        var forged = answer.Replace(endpoint.Certificate.Fingerprint.Value, Dtls.DtlsCertificate.Create().Fingerprint.Value, StringComparison.Ordinal);

        await Assert.ThrowsAnyAsync<Exception>(() => client.ConnectAsync(forged, Timeout));
        Assert.NotEqual(PeerState.Connected, peer.State);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        while (!condition())
        {
            await Task.Delay(20, deadline.Token);
        }
    }
}

public class SharedOpusEncoderTests
{
    [Fact]
    public void Each_frame_is_encoded_once_for_every_listener_and_a_frame_too_old_is_left_to_the_caller()
    {
        var encoder = new SharedOpusEncoder(channels: 1, bitrate: 0);
        var sweep = Signal.Chirp(2 * 48000);
        var packets = new List<byte[]>();
        for (int f = 0; f < 100; f++)
        {
            var frame = sweep.AsSpan(f * 960, 960);
            var a = encoder.GetPacket(f * 960L, frame)!;
            Assert.Same(a, encoder.GetPacket(f * 960L, frame)); // a second listener gets the same packet
            packets.Add(a);
        }

        Assert.Equal(100, encoder.Encoded);
        Assert.Equal(100, encoder.Reused);
        // A listener 39 frames behind still finds its packet; one 89 behind (past the 64 kept) encodes for itself.
        Assert.Same(packets[60], encoder.GetPacket(60 * 960L, sweep.AsSpan(60 * 960, 960)));
        Assert.Null(encoder.GetPacket(10 * 960L, sweep.AsSpan(10 * 960, 960)));

        // The shared packets decode to the sweep.
        var decoder = new OpusAudioDecoder();
        var pcm = new float[OpusAudioDecoder.MaxFrameSamples];
        var decoded = new List<float>();
        foreach (var packet in packets)
        {
            decoded.AddRange(pcm.AsSpan(0, decoder.Decode(packet, pcm)));
        }

        double r = Signal.BestCorrelation(sweep.Skip(48000).Take(9600).ToArray(), decoded.Skip(48000).Take(10560).ToArray(), 960);
        Assert.True(r > 0.9, $"correlation {r:F3}");
    }
}
