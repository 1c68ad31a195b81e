using System.Buffers.Binary;

namespace AudioStream.RecordingService.Audio.Opus;

/// <summary>
/// The identification header of an Ogg Opus stream (RFC 7845 §5.1), alone on the stream's first page: version 1,
/// channel count, pre-skip (samples at 48 kHz the decoder drops at the start: the encoder's lookahead), the input
/// sample rate (informational), output gain, and channel mapping family 0 (mono or stereo).
/// </summary>
public readonly record struct OpusHead(byte Channels, ushort PreSkip, uint InputSampleRate, short OutputGain = 0)
{
    public const int Size = 19;

    public static ReadOnlySpan<byte> Magic => "OpusHead"u8;

    public void Write(Span<byte> packet)
    {
        Magic.CopyTo(packet);
        packet[8] = 1;
        packet[9] = Channels;
        BinaryPrimitives.WriteUInt16LittleEndian(packet[10..], PreSkip);
        BinaryPrimitives.WriteUInt32LittleEndian(packet[12..], InputSampleRate);
        BinaryPrimitives.WriteInt16LittleEndian(packet[16..], OutputGain);
        packet[18] = 0;
    }

    public byte[] ToPacket()
    {
        var packet = new byte[Size];
        Write(packet);
        return packet;
    }

    /// <summary>
    /// Reads a mapping-family-0 header. §5.1: a reader accepts any version whose major part (upper four bits) is 0 and
    /// ignores bytes after the ones it knows.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> packet, out OpusHead head)
    {
        head = default;
        if (packet.Length < Size || !packet[..8].SequenceEqual(Magic) || (packet[8] & 0xF0) != 0
            || packet[9] is not (1 or 2) || packet[18] != 0)
        {
            return false;
        }
        head = new OpusHead(
            packet[9],
            BinaryPrimitives.ReadUInt16LittleEndian(packet[10..]),
            BinaryPrimitives.ReadUInt32LittleEndian(packet[12..]),
            BinaryPrimitives.ReadInt16LittleEndian(packet[16..]));
        return true;
    }
}
