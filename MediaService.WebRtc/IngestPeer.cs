using System.Threading.Channels;
using AudioStream.MediaService.WebRtc.Jitter;
using AudioStream.MediaService.WebRtc.Opus;
using AudioStream.MediaService.WebRtc.Rtp;
using AudioStream.MediaService.WebRtc.Sdp;

namespace AudioStream.MediaService.WebRtc;

/// <summary>A WHIP-style sender: its Opus is reordered, decoded (losses concealed) and offered as 48 kHz mono frames.</summary>
public sealed class IngestPeer : WebRtcPeer
{
    private readonly Channel<AudioFrame> _frames;
    private readonly JitterBuffer _jitter;
    private readonly OpusAudioDecoder _decoder = new();
    private readonly float[] _pcm = new float[OpusAudioDecoder.MaxFrameSamples];
    private readonly byte[] _payload = new byte[1500];
    private long _lostReported;

    internal IngestPeer(WebRtcEndpoint endpoint, SdpNegotiation negotiation, string localUfrag, string localPwd)
        : base(endpoint, negotiation, localUfrag, localPwd)
    {
        _jitter = new JitterBuffer(endpoint.Options.MaxReorderPackets);
        _frames = Channel.CreateBounded<AudioFrame>(new BoundedChannelOptions(endpoint.Options.FrameQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleWriter = true,
        });
    }

    /// <summary>Decoded frames in order; completes when the peer closes. The oldest are dropped if nobody reads.</summary>
    public ChannelReader<AudioFrame> Frames => _frames.Reader;

    private protected override string Kind => "ingest";

    private protected override void OnRtp(ReadOnlySpan<byte> rtp)
    {
        if (!RtpPacket.TryParse(rtp, out var packet) || packet.PayloadType != Negotiation.OpusPayloadType)
        {
            CountMalformed();
            return;
        }

        var pushed = _jitter.Push(packet.SequenceNumber, packet.Timestamp, packet.Payload);
        if (pushed == JitterPushResult.Duplicate)
        {
            Interlocked.Increment(ref CounterSet.DuplicatePackets);
            return;
        }

        if (pushed == JitterPushResult.Late)
        {
            Interlocked.Increment(ref CounterSet.LatePackets);
            return;
        }

        while (_jitter.TryPop(_payload, out var frame))
        {
            int samples;
            try
            {
                samples = frame.IsLost
                    ? _decoder.Conceal(_pcm)
                    : _decoder.Decode(_payload.AsSpan(0, frame.PayloadLength), _pcm);
            }
#pragma warning disable CA1031 // Concentus throws on corrupt Opus: conceal instead.
            catch (Exception)
#pragma warning restore CA1031
            {
                CountMalformed();
                samples = _decoder.Conceal(_pcm);
            }

            if (samples <= 0)
            {
                continue;
            }

            if (frame.IsLost)
            {
                Interlocked.Increment(ref CounterSet.FramesConcealed);
            }
            else
            {
                Interlocked.Increment(ref CounterSet.FramesDecoded);
            }

            _frames.Writer.TryWrite(new AudioFrame(_pcm.AsSpan(0, samples).ToArray(), frame.Timestamp, frame.SequenceNumber, frame.IsLost));
        }

        long lost = _jitter.Lost;
        CountLost(lost - _lostReported);
        _lostReported = lost;
    }

    private protected override void OnClosed()
    {
        _frames.Writer.TryComplete();
    }
}
