using System.Security.Cryptography;
using AudioStream.MediaService.WebRtc.Opus;
using AudioStream.MediaService.WebRtc.Rtp;
using AudioStream.MediaService.WebRtc.Sdp;

namespace AudioStream.MediaService.WebRtc;

/// <summary>A WHEP-style listener: 20 ms PCM frames in, Opus over SRTP out once DTLS is up.</summary>
public sealed class EgressPeer : WebRtcPeer
{
    private readonly OpusAudioEncoder _encoder;
    private readonly Lock _encodeLock = new();
    private readonly byte[] _packet = new byte[RtpPacket.FixedHeaderLength + OpusAudioEncoder.MaxPacketBytes + 16];
    private ushort _sequence = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue);
    private uint _timestamp = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
    private bool _sentFirst;

    internal EgressPeer(WebRtcEndpoint endpoint, SdpNegotiation negotiation, string localUfrag, string localPwd)
        : base(endpoint, negotiation, localUfrag, localPwd)
    {
        _encoder = new OpusAudioEncoder(negotiation.Stereo ? 2 : 1, endpoint.Options.EgressBitrate);
        Ssrc = (uint)RandomNumberGenerator.GetInt32(int.MaxValue) | 1u;
    }

    public uint Ssrc { get; }

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
            int payloadLength = _encoder.Encode(frame, _packet.AsSpan(RtpPacket.FixedHeaderLength, OpusAudioEncoder.MaxPacketBytes));
            var header = new RtpHeader((byte)Negotiation.OpusPayloadType, _sequence, _timestamp, Ssrc, Marker: !_sentFirst);
            RtpPacket.Write(_packet, header, _packet.AsSpan(RtpPacket.FixedHeaderLength, payloadLength));
            _sequence++;
            _timestamp += OpusAudioEncoder.FrameSamples;
            bool sent = SendRtp(_packet, RtpPacket.FixedHeaderLength + payloadLength);
            _sentFirst |= sent;
            return sent;
        }
    }

    private protected override void OnRtp(ReadOnlySpan<byte> rtp)
    {
        // A recvonly listener sends no media; anything here is counted and ignored.
        CountMalformed();
    }
}
