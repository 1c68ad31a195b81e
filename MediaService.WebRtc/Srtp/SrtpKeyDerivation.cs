namespace AudioStream.MediaService.WebRtc.Srtp;

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

        using var aes = new AesCounterMode(masterKey);
        Span<byte> iv = stackalloc byte[16];
        masterSalt.CopyTo(iv);
        iv[7] ^= (byte)label;
        aes.Keystream(iv, output);
    }
}
