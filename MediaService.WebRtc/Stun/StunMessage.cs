using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace AudioStream.MediaService.WebRtc.Stun;

/// <summary>A parsed STUN message (RFC 8489). Holds its own copy of the bytes so attribute values stay valid.</summary>
public sealed class StunMessage
{
    public const int HeaderLength = 20;
    public const uint MagicCookie = 0x2112A442;
    private const uint FingerprintXor = 0x5354554E;
    private const int MaxAttributes = 64;

    private readonly byte[] _raw;
    private readonly StunAttributeSpan[] _attributes;

    private StunMessage(byte[] raw, StunAttributeSpan[] attributes, int messageIntegrityOffset, int fingerprintOffset)
    {
        _raw = raw;
        _attributes = attributes;
        MessageIntegrityOffset = messageIntegrityOffset;
        FingerprintOffset = fingerprintOffset;
    }

    public ushort Type => BinaryPrimitives.ReadUInt16BigEndian(_raw);

    public ReadOnlySpan<byte> TransactionId => _raw.AsSpan(8, 12);

    public ReadOnlySpan<byte> Raw => _raw;

    public IReadOnlyList<StunAttributeSpan> Attributes => _attributes;

    /// <summary>Offset of the MESSAGE-INTEGRITY attribute header, or -1.</summary>
    public int MessageIntegrityOffset { get; }

    /// <summary>Offset of the FINGERPRINT attribute header, or -1.</summary>
    public int FingerprintOffset { get; }

    public static StunMessage Parse(ReadOnlySpan<byte> data) =>
        TryParse(data, out var message, out var error) ? message : throw new StunParseException(error);

    public static bool TryParse(ReadOnlySpan<byte> data, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StunMessage? message) =>
        TryParse(data, out message, out _);

    public static bool TryParse(
        ReadOnlySpan<byte> data,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StunMessage? message,
        out string error)
    {
        message = null;
        if (data.Length < HeaderLength)
        {
            error = "shorter than a STUN header";
            return false;
        }

        if ((data[0] & 0xC0) != 0)
        {
            error = "the two most significant bits are not zero";
            return false;
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(data[4..]) != MagicCookie)
        {
            error = "no magic cookie";
            return false;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        if ((length & 3) != 0 || HeaderLength + length != data.Length)
        {
            error = $"message length {length} does not match the datagram ({data.Length} bytes)";
            return false;
        }

        var attributes = new List<StunAttributeSpan>();
        int integrity = -1, fingerprint = -1;
        int offset = HeaderLength;
        while (offset < data.Length)
        {
            if (data.Length - offset < 4)
            {
                error = "truncated attribute header";
                return false;
            }

            ushort type = BinaryPrimitives.ReadUInt16BigEndian(data[offset..]);
            int valueLength = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 2)..]);
            int padded = (valueLength + 3) & ~3;
            if (offset + 4 + padded > data.Length)
            {
                error = $"attribute 0x{type:X4} overruns the message";
                return false;
            }

            if (fingerprint >= 0)
            {
                error = "attribute after FINGERPRINT";
                return false;
            }

            if (attributes.Count >= MaxAttributes)
            {
                error = "too many attributes";
                return false;
            }

            // RFC 8489 §14.5: attributes after MESSAGE-INTEGRITY are ignored, except FINGERPRINT.
            if (integrity < 0 || type == StunAttributeType.Fingerprint)
            {
                attributes.Add(new StunAttributeSpan(type, offset + 4, valueLength));
            }

            if (type == StunAttributeType.MessageIntegrity && integrity < 0)
            {
                if (valueLength != 20)
                {
                    error = "MESSAGE-INTEGRITY is not 20 bytes";
                    return false;
                }

                integrity = offset;
            }
            else if (type == StunAttributeType.Fingerprint)
            {
                if (valueLength != 4)
                {
                    error = "FINGERPRINT is not 4 bytes";
                    return false;
                }

                fingerprint = offset;
            }

            offset += 4 + padded;
        }

        message = new StunMessage(data.ToArray(), [.. attributes], integrity, fingerprint);
        error = string.Empty;
        return true;
    }

    /// <summary>
    /// The USERNAME of a binding request, read in place without copying or parsing the rest: the endpoint routes a check
    /// by it before paying for a full parse. Walks at most <see cref="MaxAttributes"/> attribute headers; false when
    /// <paramref name="datagram"/> is no binding request, has no USERNAME, or its framing is broken.
    /// </summary>
    public static bool TryFindBindingRequestUsername(ReadOnlySpan<byte> datagram, out ReadOnlySpan<byte> username)
    {
        username = default;
        if (datagram.Length < HeaderLength
            || BinaryPrimitives.ReadUInt16BigEndian(datagram) != StunMessageType.BindingRequest
            || BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]) != MagicCookie
            || HeaderLength + BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]) != datagram.Length)
        {
            return false;
        }

        int offset = HeaderLength;
        for (int i = 0; i < MaxAttributes && datagram.Length - offset >= 4; i++)
        {
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(datagram[offset..]);
            int valueLength = BinaryPrimitives.ReadUInt16BigEndian(datagram[(offset + 2)..]);
            if (valueLength > datagram.Length - offset - 4)
            {
                return false;
            }

            if (type == StunAttributeType.Username)
            {
                username = datagram.Slice(offset + 4, valueLength);
                return true;
            }

            if (type == StunAttributeType.MessageIntegrity)
            {
                return false; // RFC 8489 §14.5: a USERNAME after MESSAGE-INTEGRITY does not count
            }

            offset += 4 + ((valueLength + 3) & ~3);
        }

        return false;
    }

    public bool TryGetAttribute(ushort type, out ReadOnlySpan<byte> value)
    {
        foreach (var attribute in _attributes)
        {
            if (attribute.Type == type)
            {
                value = _raw.AsSpan(attribute.ValueOffset, attribute.ValueLength);
                return true;
            }
        }

        value = default;
        return false;
    }

    public bool HasAttribute(ushort type) => TryGetAttribute(type, out _);

    public string? Username =>
        TryGetAttribute(StunAttributeType.Username, out var value) ? Encoding.UTF8.GetString(value) : null;

    public uint? Priority =>
        TryGetAttribute(StunAttributeType.Priority, out var value) && value.Length == 4
            ? BinaryPrimitives.ReadUInt32BigEndian(value)
            : null;

    public bool UseCandidate => HasAttribute(StunAttributeType.UseCandidate);

    public ulong? IceControlling =>
        TryGetAttribute(StunAttributeType.IceControlling, out var value) && value.Length == 8
            ? BinaryPrimitives.ReadUInt64BigEndian(value)
            : null;

    public ulong? IceControlled =>
        TryGetAttribute(StunAttributeType.IceControlled, out var value) && value.Length == 8
            ? BinaryPrimitives.ReadUInt64BigEndian(value)
            : null;

    public IPEndPoint? XorMappedAddress =>
        TryGetAttribute(StunAttributeType.XorMappedAddress, out var value) ? DecodeXorAddress(value, TransactionId) : null;

    /// <summary>RFC 8489 §14.5: HMAC-SHA1 over the message up to MESSAGE-INTEGRITY, with the length field covering it.</summary>
    public bool VerifyMessageIntegrity(ReadOnlySpan<byte> key)
    {
        if (MessageIntegrityOffset < 0)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[20];
        ComputeIntegrity(_raw.AsSpan(0, MessageIntegrityOffset), key, mac);
        return CryptographicOperations.FixedTimeEquals(mac, _raw.AsSpan(MessageIntegrityOffset + 4, 20));
    }

    /// <summary>RFC 8489 §14.7: CRC-32 of the message up to FINGERPRINT, xor 0x5354554E.</summary>
    public bool VerifyFingerprint()
    {
        if (FingerprintOffset < 0)
        {
            return false;
        }

        uint expected = ComputeFingerprint(_raw.AsSpan(0, FingerprintOffset));
        return BinaryPrimitives.ReadUInt32BigEndian(_raw.AsSpan(FingerprintOffset + 4)) == expected;
    }

    /// <summary>Short-term credential key (RFC 8489 §9.1.1): the password itself (OpaqueString is identity for ICE's ASCII passwords).</summary>
    public static byte[] ShortTermKey(string password) => Encoding.UTF8.GetBytes(password);

    /// <summary>Long-term credential key (RFC 8489 §9.2.2, MD5 variant).</summary>
    public static byte[] LongTermKey(string username, string realm, string password) =>
#pragma warning disable CA5351 // MD5 is what RFC 8489's long-term credential mechanism defines.
        MD5.HashData(Encoding.UTF8.GetBytes($"{username}:{realm}:{password}"));
#pragma warning restore CA5351

    /// <summary>HMAC over <paramref name="messageUpToIntegrity"/> as if its length field already counted MESSAGE-INTEGRITY.</summary>
    internal static void ComputeIntegrity(ReadOnlySpan<byte> messageUpToIntegrity, ReadOnlySpan<byte> key, Span<byte> mac)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, key);
        Span<byte> header = stackalloc byte[HeaderLength];
        messageUpToIntegrity[..HeaderLength].CopyTo(header);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)(messageUpToIntegrity.Length - HeaderLength + 24));
        hmac.AppendData(header);
        hmac.AppendData(messageUpToIntegrity[HeaderLength..]);
        hmac.GetHashAndReset(mac);
    }

    internal static uint ComputeFingerprint(ReadOnlySpan<byte> messageUpToFingerprint)
    {
        Span<byte> header = stackalloc byte[HeaderLength];
        messageUpToFingerprint[..HeaderLength].CopyTo(header);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)(messageUpToFingerprint.Length - HeaderLength + 8));
        uint crc = Crc32.Update(0xFFFFFFFF, header);
        crc = Crc32.Update(crc, messageUpToFingerprint[HeaderLength..]);
        return ~crc ^ FingerprintXor;
    }

    internal static IPEndPoint? DecodeXorAddress(ReadOnlySpan<byte> value, ReadOnlySpan<byte> transactionId)
    {
        if (value.Length < 4)
        {
            return null;
        }

        int family = value[1];
        int port = BinaryPrimitives.ReadUInt16BigEndian(value[2..]) ^ (int)(MagicCookie >> 16);
        Span<byte> mask = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(mask, MagicCookie);
        transactionId.CopyTo(mask[4..]);
        if (family == 0x01 && value.Length == 8)
        {
            Span<byte> address = stackalloc byte[4];
            for (int i = 0; i < 4; i++)
            {
                address[i] = (byte)(value[4 + i] ^ mask[i]);
            }

            return new IPEndPoint(new IPAddress(address), port);
        }

        if (family == 0x02 && value.Length == 20)
        {
            Span<byte> address = stackalloc byte[16];
            for (int i = 0; i < 16; i++)
            {
                address[i] = (byte)(value[4 + i] ^ mask[i]);
            }

            return new IPEndPoint(new IPAddress(address), port);
        }

        return null;
    }

    internal static int EncodeXorAddress(IPAddress address, int port, ReadOnlySpan<byte> transactionId, Span<byte> value)
    {
        Span<byte> mask = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(mask, MagicCookie);
        transactionId.CopyTo(mask[4..]);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        bool v4 = address.AddressFamily == AddressFamily.InterNetwork;
        int addressLength = v4 ? 4 : 16;
        value[0] = 0;
        value[1] = v4 ? (byte)0x01 : (byte)0x02;
        BinaryPrimitives.WriteUInt16BigEndian(value[2..], (ushort)(port ^ (int)(MagicCookie >> 16)));
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        for (int i = 0; i < addressLength; i++)
        {
            value[4 + i] = (byte)(bytes[i] ^ mask[i]);
        }

        return 4 + addressLength;
    }
}
