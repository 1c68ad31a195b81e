using System.Security.Cryptography;

namespace AudioStream.MediaService.Security;

/// <summary>
/// Stream key secrets: <c>ask_</c> and 256 random bits in base64url. Stored as their SHA-256; a key of 256 random
/// bits cannot be guessed from its hash, so no slow password hash is needed and a lookup by hash is one index probe.
/// </summary>
public static class StreamKeySecret
{
    public const string Prefix = "ask_";
    private const int SecretBytes = 32;

    /// <summary>Prefix plus 43 base64url characters; anything longer is not one of ours and is not hashed.</summary>
    public const int Length = 47;

    public static string Create() =>
        Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(SecretBytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The stored form; null for text that cannot be a key (so it is never looked up).</summary>
    public static byte[]? Hash(ReadOnlySpan<char> key)
    {
        if (key.Length != Length || !key.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        Span<byte> utf8 = stackalloc byte[Length];
        for (var i = 0; i < Length; i++)
        {
            if (key[i] > 0x7F)
            {
                return null;
            }
            utf8[i] = (byte)key[i];
        }
        return SHA256.HashData(utf8);
    }
}
