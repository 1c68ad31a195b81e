using System.Diagnostics;
using System.Net;
using AudioStream.MediaService.WebRtc.Opus;
using AudioStream.MediaService.WebRtc.Sdp;
using AudioStream.MediaService.WebRtc.Srtp;
using Xunit.Abstractions;

namespace AudioStream.MediaService.WebRtc.Tests;

public class PerformanceTests(ITestOutputHelper output)
{
    [Fact]
    public void Srtp_protect_and_unprotect_allocate_nothing_per_packet()
    {
        var key = new byte[16];
        var salt = new byte[14];
        using var sender = new SrtpContext(key, salt);
        using var receiver = new SrtpContext(key, salt);
        var rtp = SrtpTests.MakeRtp(0, 7, 120);
        var buffer = new byte[rtp.Length + 10];

        int failures = 0;
        void RoundTrip(int i)
        {
            rtp.CopyTo(buffer, 0);
            buffer[2] = (byte)(i >> 8);
            buffer[3] = (byte)i;
            int length = sender.ProtectRtp(buffer, rtp.Length);
            if (receiver.UnprotectRtp(buffer.AsSpan(0, length), out _) != SrtpResult.Ok)
            {
                failures++;
            }
        }

        for (int i = 0; i < 200; i++)
        {
            RoundTrip(i);
        }

        // Steady state: the fewest bytes of three rounds, since the runtime's tier-up of these methods (on a busy machine
        // it can land inside a round) allocates on this thread once, which is not a per-packet cost.
        const int Count = 5000;
        long allocated = long.MaxValue;
        var clock = new Stopwatch();
        for (int round = 0; round < 3 && allocated > 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            clock.Restart();
            for (int i = 0; i < Count; i++)
            {
                RoundTrip(200 + (round * Count) + i);
            }

            clock.Stop();
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        output.WriteLine($"SRTP protect+unprotect of a 132-byte packet: {clock.Elapsed.TotalMicroseconds / Count:F1} µs, {allocated} bytes allocated over {Count}");
        Assert.Equal(0, failures);
        Assert.True(allocated < Count, $"{allocated} bytes allocated over {Count} packets");
    }

    [Fact]
    public void Opus_decode_cost_is_measured()
    {
        var encoder = new OpusAudioEncoder();
        var decoder = new OpusAudioDecoder();
        var packet = new byte[OpusAudioEncoder.MaxPacketBytes];
        var pcm = new float[OpusAudioDecoder.MaxFrameSamples];
        var frame = new float[960];
        var random = new Random(3);
        var packets = new List<byte[]>();
        for (int f = 0; f < 250; f++)
        {
            for (int i = 0; i < 960; i++)
            {
                frame[i] = (float)((random.NextDouble() - 0.5) * 0.2) + (0.3f * MathF.Sin(2 * MathF.PI * 220 * ((f * 960) + i) / 48000f));
            }

            packets.Add(packet.AsSpan(0, encoder.Encode(frame, packet)).ToArray());
        }

        foreach (var p in packets.Take(50))
        {
            decoder.Decode(p, pcm);
        }

        var clock = Stopwatch.StartNew();
        foreach (var p in packets.Skip(50))
        {
            Assert.Equal(960, decoder.Decode(p, pcm));
        }

        output.WriteLine($"Opus decode of a 20 ms frame: {clock.Elapsed.TotalMicroseconds / 200:F0} µs");
    }

    [Fact]
    public async Task A_connected_peer_without_consent_checks_closes_as_lapsed()
    {
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions { BindAddress = IPAddress.Loopback, ConsentTimeout = TimeSpan.FromSeconds(1) });
        var (peer, answer) = endpoint.CreateIngestPeer(SdpTests.ChromiumSendOffer);
        var closed = new TaskCompletionSource<PeerCloseReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        peer.Closed += (_, e) => closed.TrySetResult(e.Reason);
        using var client = new System.Net.Sockets.UdpClient(new IPEndPoint(IPAddress.Loopback, 0));

        await client.SendAsync(IceJitterOpusTests.BindingRequest($"{peer.Id}:EsAw", SessionDescription.Parse(answer).Media[0].IcePwd!), endpoint.LocalEndPoint);
        await client.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(PeerCloseReason.ConsentLapsed, await closed.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Empty(endpoint.Peers);
    }
}
