using System.Security.Cryptography;
using AudioStream.MediaService.WebRtc.Opus;
using AudioStream.MediaService.WebRtc.Rtcp;
using AudioStream.MediaService.WebRtc.Rtp;
using AudioStream.MediaService.WebRtc.Sdp;

namespace AudioStream.MediaService.WebRtc;

/// <summary>
/// A WHEP-style listener: 20 ms PCM frames (or Opus packets encoded once for many listeners) in, Opus over SRTP out
/// once DTLS is up.
/// </summary>
public sealed class EgressPeer : WebRtcPeer
{
    private readonly Lazy<OpusAudioEncoder> _encoder;
    private readonly Lock _encodeLock = new();
    private readonly byte[] _packet = new byte[RtpPacket.FixedHeaderLength + OpusAudioEncoder.MaxPacketBytes + 16];
    private ushort _sequence = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue);
    private uint _timestamp = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
    private bool _sentFirst;
    private readonly byte[] _report = new byte[256];
    private long _nextReport;
    private uint _packetsSent;
    private uint _octetsSent;
    private uint _lastSentRtpTimestamp;
    private long _lastSentAt;

    internal EgressPeer(WebRtcEndpoint endpoint, SdpNegotiation negotiation, string localUfrag, string localPwd)
        : base(endpoint, negotiation, localUfrag, localPwd)
    {
        Channels = negotiation.Stereo ? 2 : 1;
        Bitrate = endpoint.Options.EgressBitrate;
        _encoder = new Lazy<OpusAudioEncoder>(() => new OpusAudioEncoder(Channels, Bitrate));
        Ssrc = (uint)RandomNumberGenerator.GetInt32(int.MaxValue) | 1u;
    }

    public uint Ssrc { get; }

    /// <summary>Round-trip time from the listener's receiver report about our last sender report (RFC 3550 §6.4.1).</summary>
    public TimeSpan? RoundTripTime { get; private set; }

    /// <summary>Opus channels the listener negotiated (2 when its offer asked for stereo).</summary>
    public int Channels { get; }

    /// <summary>Egress Opus bitrate (0 = the encoder's default for <see cref="Channels"/>).</summary>
    public int Bitrate { get; }

    private protected override string Kind => "egress";

    /// <summary>
    /// Encodes and sends one 20 ms frame (960 samples, 48 kHz mono). False (and counted) while not connected.
    /// The caller paces frames in real time.
    /// </summary>
    public bool SendFrame(ReadOnlySpan<float> frame)
    {
        if (State != PeerState.Connected)
        {
            Interlocked.Increment(ref CounterSet.FramesSendDropped);
            return false;
        }

        lock (_encodeLock)
        {
            int payloadLength = _encoder.Value.Encode(frame, _packet.AsSpan(RtpPacket.FixedHeaderLength, OpusAudioEncoder.MaxPacketBytes));
            return SendPayload(payloadLength);
        }
    }

    /// <summary>
    /// Sends one 20 ms Opus packet encoded elsewhere with this peer's <see cref="Channels"/> (one encoding shared by all
    /// of a stream's listeners costs a stream one encoder instead of one per listener). False while not connected.
    /// </summary>
    public bool SendOpus(ReadOnlySpan<byte> opus)
    {
        if (State != PeerState.Connected || opus.Length > OpusAudioEncoder.MaxPacketBytes)
        {
            Interlocked.Increment(ref CounterSet.FramesSendDropped);
            return false;
        }

        lock (_encodeLock)
        {
            opus.CopyTo(_packet.AsSpan(RtpPacket.FixedHeaderLength));
            return SendPayload(opus.Length);
        }
    }

    private bool SendPayload(int payloadLength)
    {
        var header = new RtpHeader((byte)Negotiation.OpusPayloadType, _sequence, _timestamp, Ssrc, Marker: !_sentFirst);
        RtpPacket.Write(_packet, header, _packet.AsSpan(RtpPacket.FixedHeaderLength, payloadLength));
        _sequence++;
        _timestamp += OpusAudioEncoder.FrameSamples;
        uint timestamp = _timestamp - OpusAudioEncoder.FrameSamples;
        bool sent = SendRtp(_packet, RtpPacket.FixedHeaderLength + payloadLength);
        _sentFirst |= sent;
        if (sent)
        {
            _packetsSent++;
            _octetsSent += (uint)payloadLength;
            _lastSentRtpTimestamp = timestamp;
            _lastSentAt = Time.GetTimestamp();
        }

        return sent;
    }

    /// <summary>Every two seconds: a sender report, so the browser can map our RTP time to wall-clock time and measure RTT.</summary>
    internal override void OnReportTimer(long timestamp)
    {
        if (timestamp < _nextReport)
        {
            return;
        }

        _nextReport = timestamp + (long)(ReportInterval.TotalSeconds * Time.TimestampFrequency);
        lock (_encodeLock)
        {
            if (!_sentFirst)
            {
                return;
            }

            // The RTP time "now": the last frame's timestamp plus the time since it went out.
            double since = Time.GetElapsedTime(_lastSentAt, timestamp).TotalSeconds;
            uint rtpNow = _lastSentRtpTimestamp + (uint)(since * OpusAudioEncoder.SampleRate);
            var info = new RtcpSenderInfo(RtcpCompound.ToNtp(Time.GetUtcNow()), rtpNow, _packetsSent, _octetsSent);
            int length = RtcpCompound.WriteSenderReport(_report, Ssrc, info, "audiostream");
            SendRtcp(_report, length);
        }
    }

    private protected override void OnRtcp(RtcpCompound compound)
    {
        base.OnRtcp(compound);
        foreach (var (_, block) in compound.ReportBlocks)
        {
            if (block.Ssrc == Ssrc && block.LastSenderReport != 0)
            {
                // RTT = now − LSR − DLSR, all in the middle 32 bits of NTP time (1/65536 s).
                uint now = (uint)(RtcpCompound.ToNtp(Time.GetUtcNow()) >> 16);
                uint rtt = now - block.LastSenderReport - block.DelaySinceLastSenderReport;
                if (rtt < 65536 * 10)
                {
                    RoundTripTime = TimeSpan.FromSeconds(rtt / 65536.0);
                }
            }
        }
    }

    private protected override void OnRtp(ReadOnlySpan<byte> rtp)
    {
        // A recvonly listener sends no media; anything here is counted and ignored.
        CountMalformed();
    }
}
