using System.Diagnostics;
using System.Net;
using AudioStream.MediaService.WebRtc.Ice;
using AudioStream.MediaService.WebRtc.Jitter;
using AudioStream.MediaService.WebRtc.Opus;
using AudioStream.MediaService.WebRtc.Stun;

namespace AudioStream.MediaService.WebRtc.Tests;

public class IceJitterOpusTests
{
    /// <param name="padding">Bytes of a SOFTWARE attribute (comprehension-optional) to make the request longer.</param>
    internal static byte[] BindingRequest(string username, string password, bool useCandidate = false, byte seed = 1, int padding = 0)
    {
        var buffer = new byte[256 + padding];
        var transaction = Enumerable.Range(seed, 12).Select(i => (byte)i).ToArray();
        var writer = new StunMessageWriter(buffer, StunMessageType.BindingRequest, transaction);
        writer.AddString(StunAttributeType.Username, username);
        writer.AddUInt64(StunAttributeType.IceControlling, 0x1122334455667788);
        writer.AddUInt32(StunAttributeType.Priority, 2113937151);
        if (useCandidate)
        {
            writer.AddAttribute(StunAttributeType.UseCandidate, default);
        }

        if (padding > 0)
        {
            writer.AddAttribute(StunAttributeType.Software, new byte[padding]);
        }

        writer.AddMessageIntegrity(StunMessage.ShortTermKey(password));
        writer.AddFingerprint();
        return writer.Written.ToArray();
    }

    [Fact]
    public void Ice_lite_answers_a_valid_check_with_a_signed_xor_mapped_address()
    {
        var ice = new IceLiteResponder("ours", "ourpasswordourpassword", "theirs");
        var remote = new IPEndPoint(IPAddress.Loopback, 50000);
        var response = new byte[512];

        var outcome = ice.HandleRequest(StunMessage.Parse(BindingRequest("ours:theirs", "ourpasswordourpassword")), remote, response, 1, out int length);

        Assert.Equal(IceCheckOutcome.Answered, outcome);
        var parsed = StunMessage.Parse(response.AsSpan(0, length));
        Assert.Equal(StunMessageType.BindingSuccessResponse, parsed.Type);
        Assert.Equal(remote, parsed.XorMappedAddress);
        Assert.True(parsed.VerifyMessageIntegrity(StunMessage.ShortTermKey("ourpasswordourpassword")));
        Assert.True(parsed.VerifyFingerprint());
        Assert.Equal(remote, ice.RemoteEndPoint);
    }

    [Fact]
    public void Ice_lite_ignores_wrong_username_and_refuses_wrong_password()
    {
        var ice = new IceLiteResponder("ours", "ourpasswordourpassword", "theirs");
        var remote = new IPEndPoint(IPAddress.Loopback, 50000);
        var response = new byte[512];

        Assert.Equal(IceCheckOutcome.NotForUs, ice.HandleRequest(StunMessage.Parse(BindingRequest("other:theirs", "ourpasswordourpassword")), remote, response, 1, out _));
        Assert.Equal(IceCheckOutcome.Unauthenticated, ice.HandleRequest(StunMessage.Parse(BindingRequest("ours:theirs", "not-the-password")), remote, response, 1, out _));
        Assert.Null(ice.RemoteEndPoint);
    }

    [Fact]
    public void Ice_lite_switches_to_the_nominated_address()
    {
        var ice = new IceLiteResponder("ours", "ourpasswordourpassword", "theirs");
        var response = new byte[512];
        var first = new IPEndPoint(IPAddress.Loopback, 50000);
        var nominated = new IPEndPoint(IPAddress.Loopback, 50001);

        ice.HandleRequest(StunMessage.Parse(BindingRequest("ours:theirs", "ourpasswordourpassword")), first, response, 1, out _);
        ice.HandleRequest(StunMessage.Parse(BindingRequest("ours:theirs", "ourpasswordourpassword", useCandidate: true)), nominated, response, 2, out _);
        ice.HandleRequest(StunMessage.Parse(BindingRequest("ours:theirs", "ourpasswordourpassword")), first, response, 3, out _);

        Assert.True(ice.Nominated);
        Assert.Equal(nominated, ice.RemoteEndPoint);
    }

    [Fact]
    public void Ice_consent_lapses_after_the_timeout_without_valid_checks()
    {
        var ice = new IceLiteResponder("ours", "ourpasswordourpassword", "theirs");
        var response = new byte[512];
        long start = Stopwatch.GetTimestamp();

        Assert.False(ice.HasConsentLapsed(start, TimeSpan.FromSeconds(10), TimeProvider.System));
        ice.HandleRequest(StunMessage.Parse(BindingRequest("ours:theirs", "ourpasswordourpassword")), new IPEndPoint(IPAddress.Loopback, 1), response, start, out _);

        Assert.False(ice.HasConsentLapsed(start + (9 * Stopwatch.Frequency), TimeSpan.FromSeconds(10), TimeProvider.System));
        Assert.True(ice.HasConsentLapsed(start + (11 * Stopwatch.Frequency), TimeSpan.FromSeconds(10), TimeProvider.System));
    }

    [Fact]
    public void Ice_consent_stays_fresh_while_authenticated_media_arrives_without_checks()
    {
        var ice = new IceLiteResponder("ours", "ourpasswordourpassword", "theirs");
        long start = Stopwatch.GetTimestamp();
        ice.HandleRequest(StunMessage.Parse(BindingRequest("ours:theirs", "ourpasswordourpassword")), new IPEndPoint(IPAddress.Loopback, 1), new byte[512], start, out _);

        // A libnice peer: connectivity checks at the start, then only media (and a binding indication every 25 s).
        ice.NoteAuthenticatedMedia(start + (8 * Stopwatch.Frequency));
        Assert.False(ice.HasConsentLapsed(start + (15 * Stopwatch.Frequency), TimeSpan.FromSeconds(10), TimeProvider.System));
        Assert.True(ice.HasConsentLapsed(start + (19 * Stopwatch.Frequency), TimeSpan.FromSeconds(10), TimeProvider.System));
    }

    [Fact]
    public void Jitter_buffer_reorders_drops_duplicates_and_late_packets()
    {
        using var jitter = new JitterBuffer(maxReorderPackets: 3);
        var output = new List<ushort>();
        var payload = new byte[1500];
        void Push(ushort seq)
        {
            jitter.Push(seq, seq * 960u, new byte[] { (byte)seq });
            while (jitter.TryPop(payload, out var frame))
            {
                Assert.False(frame.IsLost);
                Assert.Equal((byte)frame.SequenceNumber, payload[0]);
                output.Add(frame.SequenceNumber);
            }
        }

        Push(65533);
        Push(65535);
        Assert.Equal(JitterPushResult.Duplicate, jitter.Push(65535, 0, new byte[] { 0xFF }));
        Push(65534);
        Assert.Equal(JitterPushResult.Late, jitter.Push(65535, 0, new byte[] { 0xFF }));
        Push(1);
        Push(0);
        Assert.Equal(JitterPushResult.Late, jitter.Push(65534, 0, new byte[1]));

        Assert.Equal(new ushort[] { 65533, 65534, 65535, 0, 1 }, output);
        Assert.Equal(0, jitter.Lost);
    }

    [Fact]
    public void Jitter_buffer_declares_a_gap_lost_after_enough_newer_packets()
    {
        using var jitter = new JitterBuffer(maxReorderPackets: 3);
        var payload = new byte[1500];
        var frames = new List<JitterFrame>();
        foreach (ushort seq in new ushort[] { 10, 11, 13, 14, 15, 16 })
        {
            jitter.Push(seq, seq * 960u, new byte[] { 1, 2 });
            while (jitter.TryPop(payload, out var frame))
            {
                frames.Add(frame);
            }
        }

        Assert.Equal(new ushort[] { 10, 11, 12, 13, 14, 15, 16 }, frames.Select(f => f.SequenceNumber).ToArray());
        var lost = Assert.Single(frames, f => f.IsLost);
        Assert.Equal(12 * 960u, lost.Timestamp);
        Assert.Equal(1, jitter.Lost);
    }

    [Fact]
    public void Jitter_buffer_resynchronises_after_a_huge_jump()
    {
        using var jitter = new JitterBuffer();
        jitter.Push(1, 0, new byte[1]);
        Assert.True(jitter.TryPop(new byte[10], out _));

        Assert.Equal(JitterPushResult.Resynchronized, jitter.Push(30000, 0, new byte[1]));
        Assert.True(jitter.TryPop(new byte[10], out var frame));
        Assert.Equal(30000, frame.SequenceNumber);
    }

    [Fact]
    public void Opus_round_trip_keeps_a_tone_and_concealment_fills_a_frame()
    {
        var encoder = new OpusAudioEncoder();
        var decoder = new OpusAudioDecoder();
        var packet = new byte[OpusAudioEncoder.MaxPacketBytes];
        var pcm = new float[OpusAudioDecoder.MaxFrameSamples];
        var decoded = new List<float>();
        var source = new List<float>();
        for (int f = 0; f < 50; f++)
        {
            var frame = new float[960];
            for (int i = 0; i < 960; i++)
            {
                frame[i] = 0.5f * MathF.Sin(2 * MathF.PI * 440 * ((f * 960) + i) / 48000f);
            }

            source.AddRange(frame);
            int length = encoder.Encode(frame, packet);
            Assert.InRange(length, 10, 400);
            int samples = decoder.Decode(packet.AsSpan(0, length), pcm);
            Assert.Equal(960, samples);
            decoded.AddRange(pcm.AsSpan(0, samples).ToArray());
        }

        Assert.Equal(960, decoder.Conceal(pcm));
        double rms = Math.Sqrt(decoded.Skip(9600).Average(x => (double)x * x));
        Assert.InRange(rms, 0.30, 0.42); // 0.5 / √2 ≈ 0.354
        Assert.True(Signal.BestCorrelation(source.ToArray(), decoded.ToArray(), 1000) > 0.9);
    }

    [Fact]
    public void Opus_stereo_encoder_duplicates_mono_frames()
    {
        var encoder = new OpusAudioEncoder(channels: 2);
        var packet = new byte[OpusAudioEncoder.MaxPacketBytes];

        Assert.True(encoder.Encode(new float[960], packet) > 0);
        Assert.Throws<ArgumentException>(() => encoder.Encode(new float[480], packet));
    }
}
