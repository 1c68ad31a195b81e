using System.Security.Cryptography;

namespace AudioStream.MediaService.WebRtc.Srtp;

/// <summary>Key derivation labels (RFC 3711 §4.3.1, §4.3.2).</summary>
public enum SrtpLabel : byte
{
    RtpEncryption = 0x00,
    RtpAuthentication = 0x01,
    RtpSalt = 0x02,
    RtcpEncryption = 0x03,
    RtcpAuthentication = 0x04,
    RtcpSalt = 0x05,
}

public static class SrtpKeyDerivation
{
    public const int MasterKeyLength = 16;
    public const int MasterSaltLength = 14;

    /// <summary>
    /// RFC 3711 §4.3.1 with key_derivation_rate 0: x = label at octet 7 of the master salt, and the session key
    /// is the AES-CM keystream under the master key starting at x·2^16.
    /// </summary>
    public static void Derive(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, SrtpLabel label, Span<byte> output)
    {
        if (masterKey.Length != MasterKeyLength || masterSalt.Length != MasterSaltLength)
        {
            throw new ArgumentException("SRTP master key must be 16 bytes and master salt 14 bytes.");
        }

        using var aes = Aes.Create();
        aes.Key = masterKey.ToArray();
        Span<byte> iv = stackalloc byte[16];
        masterSalt.CopyTo(iv);
        iv[7] ^= (byte)label;
        AesCounterMode.Keystream(aes, iv, output);
    }
}

/// <summary>AES in counter mode as RFC 3711 §4.1.1 defines it: the low 16 bits of the IV count blocks.</summary>
public static class AesCounterMode
{
    private const int StackBlocks = 128;

    /// <summary>Writes the keystream for <paramref name="iv"/> into <paramref name="output"/>.</summary>
    public static void Keystream(Aes aes, ReadOnlySpan<byte> iv, Span<byte> output)
    {
        output.Clear();
        Xor(aes, iv, output);
    }

    /// <summary>XORs the keystream for <paramref name="iv"/> into <paramref name="data"/> in place.</summary>
    public static void Xor(Aes aes, ReadOnlySpan<byte> iv, Span<byte> data)
    {
        int blocks = (data.Length + 15) / 16;
        int done = 0;
        Span<byte> counters = stackalloc byte[16 * Math.Min(blocks, StackBlocks)];
        Span<byte> stream = stackalloc byte[counters.Length];
        int block = 0;
        while (done < data.Length)
        {
            int batch = Math.Min(blocks - block, StackBlocks);
            var counterSpan = counters[..(batch * 16)];
            for (int i = 0; i < batch; i++)
            {
                var c = counterSpan.Slice(i * 16, 16);
                iv.CopyTo(c);
                // The counter occupies the low 16 bits; RFC 3711 caps a packet at 2^16 blocks.
                int n = ((iv[14] << 8) | iv[15]) + block + i;
                c[14] = (byte)(n >> 8);
                c[15] = (byte)n;
            }

            var streamSpan = stream[..(batch * 16)];
            aes.EncryptEcb(counterSpan, streamSpan, PaddingMode.None);
            int count = Math.Min(batch * 16, data.Length - done);
            for (int i = 0; i < count; i++)
            {
                data[done + i] ^= streamSpan[i];
            }

            done += count;
            block += batch;
        }
    }
}
