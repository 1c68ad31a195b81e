using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace AudioStream.MediaService.WebRtc.Stun;

/// <summary>Writes a STUN message into a caller's buffer, attribute by attribute (RFC 8489 §5, §14).</summary>
public ref struct StunMessageWriter
{
    private readonly Span<byte> _buffer;
    private int _length;

    public StunMessageWriter(Span<byte> buffer, ushort type, ReadOnlySpan<byte> transactionId)
    {
        if (buffer.Length < StunMessage.HeaderLength)
        {
            throw new ArgumentException("Buffer too small for a STUN header.", nameof(buffer));
        }

        if (transactionId.Length != 12)
        {
            throw new ArgumentException("A transaction id is 12 bytes.", nameof(transactionId));
        }

        _buffer = buffer;
        BinaryPrimitives.WriteUInt16BigEndian(buffer, type);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[4..], StunMessage.MagicCookie);
        transactionId.CopyTo(buffer[8..]);
        _length = StunMessage.HeaderLength;
        SetLengthField();
    }

    public readonly int Length => _length;

    public readonly ReadOnlySpan<byte> Written => _buffer[.._length];

    public void AddAttribute(ushort type, scoped ReadOnlySpan<byte> value, byte padding = 0)
    {
        int padded = (value.Length + 3) & ~3;
        if (_length + 4 + padded > _buffer.Length)
        {
            throw new InvalidOperationException("STUN buffer too small.");
        }

        var target = _buffer[_length..];
        BinaryPrimitives.WriteUInt16BigEndian(target, type);
        BinaryPrimitives.WriteUInt16BigEndian(target[2..], (ushort)value.Length);
        value.CopyTo(target[4..]);
        target.Slice(4 + value.Length, padded - value.Length).Fill(padding);
        _length += 4 + padded;
        SetLengthField();
    }

    public void AddString(ushort type, string value, byte padding = 0)
    {
        Span<byte> bytes = stackalloc byte[Encoding.UTF8.GetMaxByteCount(value.Length)];
        int count = Encoding.UTF8.GetBytes(value, bytes);
        AddAttribute(type, bytes[..count], padding);
    }

    public void AddUInt32(ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        AddAttribute(type, bytes);
    }

    public void AddUInt64(ushort type, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        AddAttribute(type, bytes);
    }

    public void AddXorMappedAddress(IPEndPoint endPoint) => AddXorMappedAddress(endPoint.Address, endPoint.Port);

    public void AddXorMappedAddress(IPAddress address, int port)
    {
        Span<byte> value = stackalloc byte[20];
        int count = StunMessage.EncodeXorAddress(address, port, _buffer.Slice(8, 12), value);
        AddAttribute(StunAttributeType.XorMappedAddress, value[..count]);
    }

    public void AddMessageIntegrity(ReadOnlySpan<byte> key)
    {
        Span<byte> mac = stackalloc byte[20];
        StunMessage.ComputeIntegrity(_buffer[.._length], key, mac);
        AddAttribute(StunAttributeType.MessageIntegrity, mac);
    }

    public void AddFingerprint()
    {
        uint crc = StunMessage.ComputeFingerprint(_buffer[.._length]);
        AddUInt32(StunAttributeType.Fingerprint, crc);
    }

    private readonly void SetLengthField() =>
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[2..], (ushort)(_length - StunMessage.HeaderLength));
}
