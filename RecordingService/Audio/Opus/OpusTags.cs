using System.Buffers.Binary;
using System.Text;

namespace AudioStream.RecordingService.Audio.Opus;

/// <summary>
/// The comment header of an Ogg Opus stream (RFC 7845 §5.2), starting on the second page: "OpusTags", the vendor
/// string and user comments ("NAME=value"), each a 32-bit little-endian length then UTF-8.
/// </summary>
public static class OpusTags
{
    public static ReadOnlySpan<byte> Magic => "OpusTags"u8;

    public static byte[] ToPacket(string vendor, params ReadOnlySpan<string> comments)
    {
        var size = 8 + 4 + Encoding.UTF8.GetByteCount(vendor) + 4;
        foreach (var comment in comments)
        {
            size += 4 + Encoding.UTF8.GetByteCount(comment);
        }
        var packet = new byte[size];
        Magic.CopyTo(packet);
        var at = 8;
        at += WriteString(packet.AsSpan(at), vendor);
        BinaryPrimitives.WriteUInt32LittleEndian(packet.AsSpan(at), (uint)comments.Length);
        at += 4;
        foreach (var comment in comments)
        {
            at += WriteString(packet.AsSpan(at), comment);
        }
        return packet;
    }

    public static bool IsTags(ReadOnlySpan<byte> packet) => packet.Length >= 16 && packet[..8].SequenceEqual(Magic);

    private static int WriteString(Span<byte> destination, string value)
    {
        var length = Encoding.UTF8.GetBytes(value, destination[4..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)length);
        return 4 + length;
    }
}
