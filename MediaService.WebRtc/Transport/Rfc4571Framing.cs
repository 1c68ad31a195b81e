using System.Buffers.Binary;

namespace AudioStream.MediaService.WebRtc.Transport;

/// <summary>
/// RTP, RTCP, DTLS and STUN over a TCP stream (RFC 4571 §2, as RFC 6544 §3 uses it for ICE): each packet is preceded by
/// its length as a 16-bit big-endian number.
/// </summary>
public static class Rfc4571Framing
{
    public const int HeaderLength = 2;

    /// <summary>
    /// The longest frame we read: DTLS records are at most 4 KiB here and media packets fit a UDP MTU. A longer length
    /// is not WebRTC and ends the connection, so a length an attacker claims never sizes a buffer.
    /// </summary>
    public const int MaxFrameLength = 4096 + 64;

    /// <summary>Writes the frame header for <paramref name="length"/> bytes of packet.</summary>
    public static void WriteHeader(Span<byte> destination, int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, ushort.MaxValue);
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)length);
    }

    /// <summary>
    /// Reads the next frame into <paramref name="buffer"/> (at least <see cref="MaxFrameLength"/> bytes): its length,
    /// 0 at the end of the stream. Throws <see cref="InvalidDataException"/> for a frame longer than the buffer.
    /// </summary>
    public static async ValueTask<int> ReadFrameAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var header = buffer[..HeaderLength];
        if (await stream.ReadAtLeastAsync(header, HeaderLength, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) < HeaderLength)
        {
            return 0;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(header.Span);
        if (length == 0 || length > buffer.Length)
        {
            throw new InvalidDataException($"A {length}-byte frame is not a WebRTC packet.");
        }

        await stream.ReadExactlyAsync(buffer[..length], cancellationToken).ConfigureAwait(false);
        return length;
    }
}
