using System.Security.Cryptography;
using System.Threading.Channels;
using AudioStream.MediaService.WebRtc.Jitter;
using AudioStream.MediaService.WebRtc.Opus;
using AudioStream.MediaService.WebRtc.Rtcp;
using AudioStream.MediaService.WebRtc.Rtp;
using AudioStream.MediaService.WebRtc.Sdp;

namespace AudioStream.MediaService.WebRtc;

/// <summary>
/// A WHIP-style sender: its Opus is reordered, decoded (losses concealed) and offered as 48 kHz mono frames. Every
/// two seconds it gets an RTCP receiver report (loss, jitter, LSR/DLSR) so the browser sees how its audio arrives.
/// </summary>
public sealed class IngestPeer : WebRtcPeer
{
    private readonly Channel<AudioFrame> _frames;
    private readonly JitterBuffer _jitter;
    private readonly OpusAudioDecoder _decoder = new();
    private readonly float[] _pcm = new float[OpusAudioDecoder.MaxFrameSamples];
    private readonly byte[] _payload = new byte[1500];
    private readonly ReceptionStatistics _reception = new(OpusAudioDecoder.SampleRate);
    private readonly byte[] _report = new byte[256];
    private long _lostReported;
    private long _nextReport;

    internal IngestPeer(WebRtcEndpoint endpoint, SdpNegotiation negotiation, string localUfrag, string localPwd)
        : base(endpoint, negotiation, localUfrag, localPwd)
    {
        ReportSsrc = (uint)RandomNumberGenerator.GetInt32(int.MaxValue) | 1u;
        _jitter = new JitterBuffer(endpoint.Options.MaxReorderPackets);
        _frames = Channel.CreateBounded<AudioFrame>(new BoundedChannelOptions(endpoint.Options.FrameQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleWriter = true,
        });
    }

    /// <summary>Our SSRC in the receiver reports (we send no media).</summary>
    public uint ReportSsrc { get; }

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

        _reception.OnPacket(packet.Ssrc, packet.SequenceNumber, packet.Timestamp, (double)Time.GetTimestamp() / Time.TimestampFrequency);
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

    private protected override void OnRtcp(RtcpCompound compound)
    {
        base.OnRtcp(compound);
        foreach (var (ssrc, info) in compound.SenderReports)
        {
            _reception.OnSenderReport(ssrc, info.NtpTimestamp, Time.GetTimestamp());
        }
    }

    internal override void OnReportTimer(long timestamp)
    {
        if (timestamp < _nextReport)
        {
            return;
        }

        _nextReport = timestamp + (long)(ReportInterval.TotalSeconds * Time.TimestampFrequency);
        if (_reception.TakeReportBlock(timestamp, Time.TimestampFrequency) is not { } block)
        {
            return;
        }

        int length = RtcpCompound.WriteReceiverReport(_report, ReportSsrc, "audiostream", [block]);
        SendRtcp(_report, length);
    }

    private protected override void OnClosed()
    {
        _frames.Writer.TryComplete();
    }
}
