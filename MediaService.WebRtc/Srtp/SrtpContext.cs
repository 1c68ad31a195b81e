using System.Buffers.Binary;
using System.Security.Cryptography;

namespace AudioStream.MediaService.WebRtc.Srtp;

/// <summary>
/// One direction of SRTP/SRTCP with AES_CM_128_HMAC_SHA1_80 (RFC 3711): session keys derived from one master
/// key and salt, rollover and replay state per SSRC. Not thread-safe: use one context per direction and serialise
/// calls (the endpoint protects its sending context with a lock; receiving happens on one task).
/// </summary>
public sealed class SrtpContext : IDisposable
{
    public const int AuthTagLength = 10;
    public const int SrtcpTrailerLength = 4 + AuthTagLength;
    private const int RtpHeaderMinimum = 12;
    private const int ReplayWindow = 64;
    private const int MaxStreams = 64;

    private readonly AesCounterMode _rtpCipher;
    private readonly AesCounterMode _rtcpCipher;
    private readonly byte[] _rtpSalt = new byte[14];
    private readonly byte[] _rtcpSalt = new byte[14];
    private readonly IncrementalHash _rtpMac;
    private readonly IncrementalHash _rtcpMac;
    private readonly Dictionary<uint, StreamState> _rtpStreams = [];
    private readonly Dictionary<uint, StreamState> _rtcpStreams = [];
    private uint _srtcpIndex;
    private StreamState? _candidate;

    public SrtpContext(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt)
    {
        Span<byte> key = stackalloc byte[16];
        Span<byte> auth = stackalloc byte[20];

        SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpLabel.RtpEncryption, key);
        _rtpCipher = new AesCounterMode(key);
        SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpLabel.RtpAuthentication, auth);
        _rtpMac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, auth);
        SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpLabel.RtpSalt, _rtpSalt);

        SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpLabel.RtcpEncryption, key);
        _rtcpCipher = new AesCounterMode(key);
        SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpLabel.RtcpAuthentication, auth);
        _rtcpMac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, auth);
        SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpLabel.RtcpSalt, _rtcpSalt);

        CryptographicOperations.ZeroMemory(key);
        CryptographicOperations.ZeroMemory(auth);
    }

    /// <summary>Packets whose tag did not verify.</summary>
    public long AuthenticationFailures { get; private set; }

    /// <summary>Packets dropped as replays (already seen or older than the 64-packet window).</summary>
    public long ReplaysDropped { get; private set; }

    /// <summary>Builds the two contexts of a DTLS-SRTP association from the 60 exported bytes (RFC 5764 §4.2).</summary>
    public static (SrtpContext Client, SrtpContext Server) FromDtlsKeyingMaterial(ReadOnlySpan<byte> material)
    {
        if (material.Length != 60)
        {
            throw new ArgumentException("AES_CM_128_HMAC_SHA1_80 keying material is 60 bytes.", nameof(material));
        }

        var clientKey = material[..16];
        var serverKey = material[16..32];
        var clientSalt = material[32..46];
        var serverSalt = material[46..60];
        return (new SrtpContext(clientKey, clientSalt), new SrtpContext(serverKey, serverSalt));
    }

    /// <summary>
    /// Encrypts the RTP packet in <paramref name="buffer"/>[..<paramref name="length"/>] in place and appends the tag.
    /// Returns the SRTP length, or -1 when the packet is malformed or the buffer has no room for the tag.
    /// </summary>
    public int ProtectRtp(Span<byte> buffer, int length)
    {
        if (!TryGetRtpHeaderLength(buffer[..length], out int headerLength) || buffer.Length < length + AuthTagLength)
        {
            return -1;
        }

        ushort sequence = BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]);
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[8..]);
        var state = GetStream(_rtpStreams, ssrc);
        if (state.Initialized && sequence < state.HighestSequence && state.HighestSequence - sequence > 0x8000)
        {
            state.Roc++;
        }

        if (!state.Initialized || IsNewer(sequence, state.HighestSequence))
        {
            state.HighestSequence = sequence;
        }

        state.Initialized = true;
        ulong index = ((ulong)state.Roc << 16) | sequence;

        Span<byte> iv = stackalloc byte[16];
        BuildIv(_rtpSalt, ssrc, index, iv);
        _rtpCipher.Xor(iv, buffer[headerLength..length]);

        Span<byte> mac = stackalloc byte[20];
        ComputeRtpTag(buffer[..length], state.Roc, mac);
        mac[..AuthTagLength].CopyTo(buffer[length..]);
        return length + AuthTagLength;
    }

    /// <summary>
    /// Verifies and decrypts the SRTP packet in place (RFC 3711 §3.3). On success <paramref name="rtpLength"/> is the
    /// RTP packet length (tag removed).
    /// </summary>
    public SrtpResult UnprotectRtp(Span<byte> buffer, out int rtpLength)
    {
        rtpLength = 0;
        if (buffer.Length < RtpHeaderMinimum + AuthTagLength)
        {
            return SrtpResult.Malformed;
        }

        int length = buffer.Length - AuthTagLength;
        if (!TryGetRtpHeaderLength(buffer[..length], out int headerLength))
        {
            return SrtpResult.Malformed;
        }

        ushort sequence = BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]);
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[8..]);
        // State for an unseen SSRC is made only for a packet that authenticates: bogus SSRCs must not fill the table.
        var state = _rtpStreams.GetValueOrDefault(ssrc) ?? Candidate();
        uint roc = EstimateRoc(state, sequence);
        ulong index = ((ulong)roc << 16) | sequence;
        if (state.Initialized && IsReplay(state, index))
        {
            ReplaysDropped++;
            return SrtpResult.Replayed;
        }

        Span<byte> mac = stackalloc byte[20];
        ComputeRtpTag(buffer[..length], roc, mac);
        if (!CryptographicOperations.FixedTimeEquals(mac[..AuthTagLength], buffer.Slice(length, AuthTagLength)))
        {
            AuthenticationFailures++;
            return SrtpResult.AuthenticationFailed;
        }

        if (!Admit(_rtpStreams, ssrc, state))
        {
            return SrtpResult.Malformed;
        }

        Span<byte> iv = stackalloc byte[16];
        BuildIv(_rtpSalt, ssrc, index, iv);
        _rtpCipher.Xor(iv, buffer[headerLength..length]);
        Accept(state, index);
        rtpLength = length;
        return SrtpResult.Ok;
    }

    /// <summary>Encrypts an RTCP compound packet in place and appends E-flag|index and the tag (RFC 3711 §3.4).</summary>
    public int ProtectRtcp(Span<byte> buffer, int length)
    {
        if (length < 8 || buffer.Length < length + SrtcpTrailerLength)
        {
            return -1;
        }

        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]);
        uint index = _srtcpIndex;
        _srtcpIndex = (_srtcpIndex + 1) & 0x7FFFFFFF;

        Span<byte> iv = stackalloc byte[16];
        BuildIv(_rtcpSalt, ssrc, index, iv);
        _rtcpCipher.Xor(iv, buffer[8..length]);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[length..], 0x80000000u | index);

        Span<byte> mac = stackalloc byte[20];
        _rtcpMac.AppendData(buffer[..(length + 4)]);
        _rtcpMac.GetHashAndReset(mac);
        mac[..AuthTagLength].CopyTo(buffer[(length + 4)..]);
        return length + SrtcpTrailerLength;
    }

    /// <summary>Verifies and (when the E flag is set) decrypts an SRTCP packet in place.</summary>
    public SrtpResult UnprotectRtcp(Span<byte> buffer, out int rtcpLength)
    {
        rtcpLength = 0;
        if (buffer.Length < 8 + SrtcpTrailerLength)
        {
            return SrtpResult.Malformed;
        }

        int length = buffer.Length - SrtcpTrailerLength;
        uint word = BinaryPrimitives.ReadUInt32BigEndian(buffer[length..]);
        bool encrypted = (word & 0x80000000u) != 0;
        uint index = word & 0x7FFFFFFF;
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]);
        var state = _rtcpStreams.GetValueOrDefault(ssrc) ?? Candidate();
        if (state.Initialized && IsReplay(state, index))
        {
            ReplaysDropped++;
            return SrtpResult.Replayed;
        }

        Span<byte> mac = stackalloc byte[20];
        _rtcpMac.AppendData(buffer[..(length + 4)]);
        _rtcpMac.GetHashAndReset(mac);
        if (!CryptographicOperations.FixedTimeEquals(mac[..AuthTagLength], buffer.Slice(length + 4, AuthTagLength)))
        {
            AuthenticationFailures++;
            return SrtpResult.AuthenticationFailed;
        }

        if (!Admit(_rtcpStreams, ssrc, state))
        {
            return SrtpResult.Malformed;
        }

        if (encrypted)
        {
            Span<byte> iv = stackalloc byte[16];
            BuildIv(_rtcpSalt, ssrc, index, iv);
            _rtcpCipher.Xor(iv, buffer[8..length]);
        }

        Accept(state, index);
        rtcpLength = length;
        return SrtpResult.Ok;
    }

    /// <summary>The rollover counter this context holds for <paramref name="ssrc"/> (0 when unseen).</summary>
    public uint GetRolloverCounter(uint ssrc) => _rtpStreams.TryGetValue(ssrc, out var s) ? s.Roc : 0;

    /// <summary>Sets the rollover counter of a sending or receiving stream, e.g. to start mid-stream.</summary>
    public void SetRolloverCounter(uint ssrc, uint roc, ushort highestSequence)
    {
        var state = GetStream(_rtpStreams, ssrc);
        state.Roc = roc;
        state.HighestSequence = highestSequence;
        state.HighestIndex = ((ulong)roc << 16) | highestSequence;
        state.Initialized = true;
    }

    public void Dispose()
    {
        _rtpCipher.Dispose();
        _rtcpCipher.Dispose();
        _rtpMac.Dispose();
        _rtcpMac.Dispose();
    }

    private void ComputeRtpTag(ReadOnlySpan<byte> packet, uint roc, Span<byte> mac)
    {
        Span<byte> rocBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(rocBytes, roc);
        _rtpMac.AppendData(packet);
        _rtpMac.AppendData(rocBytes);
        _rtpMac.GetHashAndReset(mac);
    }

    /// <summary>RFC 3711 §4.1.1: IV = (salt·2^16) xor (SSRC·2^64) xor (index·2^16).</summary>
    private static void BuildIv(ReadOnlySpan<byte> salt, uint ssrc, ulong index, Span<byte> iv)
    {
        salt.CopyTo(iv);
        iv[14] = 0;
        iv[15] = 0;
        iv[4] ^= (byte)(ssrc >> 24);
        iv[5] ^= (byte)(ssrc >> 16);
        iv[6] ^= (byte)(ssrc >> 8);
        iv[7] ^= (byte)ssrc;
        for (int i = 0; i < 6; i++)
        {
            iv[8 + i] ^= (byte)(index >> (8 * (5 - i)));
        }
    }

    private static bool TryGetRtpHeaderLength(ReadOnlySpan<byte> packet, out int headerLength)
    {
        headerLength = 0;
        if (packet.Length < RtpHeaderMinimum || (packet[0] >> 6) != 2)
        {
            return false;
        }

        int length = RtpHeaderMinimum + (4 * (packet[0] & 0x0F));
        if ((packet[0] & 0x10) != 0)
        {
            if (packet.Length < length + 4)
            {
                return false;
            }

            length += 4 + (4 * BinaryPrimitives.ReadUInt16BigEndian(packet[(length + 2)..]));
        }

        if (length > packet.Length)
        {
            return false;
        }

        headerLength = length;
        return true;
    }

    private static StreamState GetStream(Dictionary<uint, StreamState> streams, uint ssrc)
    {
        if (!streams.TryGetValue(ssrc, out var state))
        {
            state = new StreamState();
            streams[ssrc] = state;
        }

        return state;
    }

    /// <summary>The blank state an unseen SSRC's packet is checked against (reused until one authenticates).</summary>
    private StreamState Candidate()
    {
        _candidate ??= new StreamState();
        _candidate.Reset();
        return _candidate;
    }

    /// <summary>
    /// Keeps the state of an authenticated packet's SSRC: a candidate joins the table, at most <see cref="MaxStreams"/>
    /// of them (only the key holder can add any; a well-behaved sender uses one or two).
    /// </summary>
    private bool Admit(Dictionary<uint, StreamState> streams, uint ssrc, StreamState state)
    {
        if (!ReferenceEquals(state, _candidate))
        {
            return true;
        }

        if (streams.Count >= MaxStreams)
        {
            return false;
        }

        streams[ssrc] = state;
        _candidate = null;
        return true;
    }

    private static bool IsNewer(ushort a, ushort b) => a != b && (ushort)(a - b) < 0x8000;

    /// <summary>RFC 3711 §3.3.1 and appendix A: guess the ROC from the highest sequence seen.</summary>
    private static uint EstimateRoc(StreamState state, ushort sequence)
    {
        if (!state.Initialized)
        {
            return state.Roc;
        }

        uint roc = state.Roc;
        int s = state.HighestSequence;
        if (s < 0x8000)
        {
            return sequence - s > 0x8000 && roc > 0 ? roc - 1 : roc;
        }

        return s - 0x8000 > sequence ? roc + 1 : roc;
    }

    private static bool IsReplay(StreamState state, ulong index)
    {
        if (index > state.HighestIndex)
        {
            return false;
        }

        ulong delta = state.HighestIndex - index;
        return delta >= ReplayWindow || (state.ReplayBits & (1UL << (int)delta)) != 0;
    }

    private static void Accept(StreamState state, ulong index)
    {
        if (!state.Initialized)
        {
            state.Initialized = true;
            state.HighestIndex = index;
            state.ReplayBits = 1;
        }
        else if (index > state.HighestIndex)
        {
            ulong shift = index - state.HighestIndex;
            state.ReplayBits = shift >= ReplayWindow ? 1 : (state.ReplayBits << (int)shift) | 1;
            state.HighestIndex = index;
        }
        else
        {
            state.ReplayBits |= 1UL << (int)(state.HighestIndex - index);
        }

        state.Roc = (uint)(state.HighestIndex >> 16);
        state.HighestSequence = (ushort)state.HighestIndex;
    }

    private sealed class StreamState
    {
        public bool Initialized;
        public uint Roc;
        public ushort HighestSequence;
        public ulong HighestIndex;
        public ulong ReplayBits;

        public void Reset() => (Initialized, Roc, HighestSequence, HighestIndex, ReplayBits) = (false, 0, 0, 0, 0);
    }
}
