using System.Buffers.Binary;

namespace AudioStream.MediaService.WebRtc.Dtls;

/// <summary>
/// The DTLS 1.2 record layer's framing (RFC 6347 §4.1): one datagram carries whole records, each a 13-byte header
/// (content type, version, epoch, 48-bit sequence number, length) and that many bytes. The endpoint checks a
/// datagram's framing before it is queued for BouncyCastle, so what cannot be DTLS costs no queue slot and no copy.
/// </summary>
public static class DtlsRecord
{
    public const int HeaderLength = 13;

    /// <summary>RFC 6347 §4.1 (TLS 1.2 §6.2.3): a ciphertext fragment is at most 2^14 + 2048 bytes.</summary>
    public const int MaxFragmentLength = (1 << 14) + 2048;

    /// <summary>
    /// Counts the records of <paramref name="datagram"/>; false when it is not a sequence of whole DTLS 1.0/1.2 records
    /// of a known content type (change_cipher_spec 20, alert 21, handshake 22, application_data 23, heartbeat 24).
    /// </summary>
    public static bool TryCountRecords(ReadOnlySpan<byte> datagram, out int records)
    {
        records = 0;
        while (!datagram.IsEmpty)
        {
            if (datagram.Length < HeaderLength
                || datagram[0] is < 20 or > 24
                || datagram[1] != 0xFE
                || datagram[2] is not (0xFF or 0xFD))
            {
                return false;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(datagram[11..]);
            if (length > MaxFragmentLength || length > datagram.Length - HeaderLength)
            {
                return false;
            }

            records++;
            datagram = datagram[(HeaderLength + length)..];
        }

        return records > 0;
    }
}
