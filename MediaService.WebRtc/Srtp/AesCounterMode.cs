using System.Security.Cryptography;

namespace AudioStream.MediaService.WebRtc.Srtp;

/// <summary>
/// AES in counter mode as RFC 3711 §4.1.1 defines it: the low 16 bits of the IV count blocks. Holds an ECB transform
/// and its block buffers so a packet costs no allocation (the span one-shot API builds a cipher per call).
/// </summary>
public sealed class AesCounterMode : IDisposable
{
    private const int BatchBlocks = 96;

    private readonly Aes _aes;
    private readonly ICryptoTransform _ecb;
    private readonly byte[] _counters = new byte[16 * BatchBlocks];
    private readonly byte[] _stream = new byte[16 * BatchBlocks];

    public AesCounterMode(ReadOnlySpan<byte> key)
    {
        _aes = Aes.Create();
        _aes.Key = key.ToArray();
        _aes.Mode = CipherMode.ECB;
        _aes.Padding = PaddingMode.None;
        _ecb = _aes.CreateEncryptor();
    }

    /// <summary>Writes the keystream for <paramref name="iv"/> into <paramref name="output"/>.</summary>
    public void Keystream(ReadOnlySpan<byte> iv, Span<byte> output)
    {
        output.Clear();
        Xor(iv, output);
    }

    /// <summary>XORs the keystream for <paramref name="iv"/> into <paramref name="data"/> in place.</summary>
    public void Xor(ReadOnlySpan<byte> iv, Span<byte> data)
    {
        int blocks = (data.Length + 15) / 16;
        int done = 0;
        int block = 0;
        int start = (iv[14] << 8) | iv[15];
        while (done < data.Length)
        {
            int batch = Math.Min(blocks - block, BatchBlocks);
            for (int i = 0; i < batch; i++)
            {
                var counter = _counters.AsSpan(i * 16, 16);
                iv.CopyTo(counter);
                // RFC 3711 caps a segment at 2^16 blocks, so the count never carries out of the low 16 bits.
                int n = start + block + i;
                counter[14] = (byte)(n >> 8);
                counter[15] = (byte)n;
            }

            _ecb.TransformBlock(_counters, 0, batch * 16, _stream, 0);
            int count = Math.Min(batch * 16, data.Length - done);
            var stream = _stream.AsSpan(0, count);
            var target = data.Slice(done, count);
            for (int i = 0; i < count; i++)
            {
                target[i] ^= stream[i];
            }

            done += count;
            block += batch;
        }
    }

    public void Dispose()
    {
        _ecb.Dispose();
        _aes.Dispose();
    }
}
