using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using AudioStream.MediaService.WebRtc.Sdp;

namespace AudioStream.MediaService.WebRtc.Dtls;

/// <summary>A self-signed ECDSA P-256 certificate for DTLS and its SHA-256 fingerprint for the SDP (RFC 8122 §5).</summary>
public sealed class DtlsCertificate
{
    private static readonly Lazy<DtlsCertificate> ProcessShared = new(() => Create());

    private DtlsCertificate(X509Certificate certificate, AsymmetricKeyParameter privateKey)
    {
        Certificate = certificate;
        PrivateKey = privateKey;
        DerEncoded = certificate.GetEncoded();
        Fingerprint = new SdpFingerprint("sha-256", FormatFingerprint(SHA256.HashData(DerEncoded)));
    }

    /// <summary>One certificate for the whole process, created on first use.</summary>
    public static DtlsCertificate Shared => ProcessShared.Value;

    public X509Certificate Certificate { get; }

    public AsymmetricKeyParameter PrivateKey { get; }

    public byte[] DerEncoded { get; }

    public SdpFingerprint Fingerprint { get; }

    public static DtlsCertificate Create(string commonName = "AudioStream", TimeSpan? validity = null)
    {
        var random = new SecureRandom();
        // The named-curve OID, not explicit parameters: BoringSSL answers explicit ones with decode_error.
        var generator = new ECKeyPairGenerator("EC");
        generator.Init(new ECKeyGenerationParameters(SecObjectIdentifiers.SecP256r1, random));
        var keyPair = generator.GenerateKeyPair();

        var name = new X509Name($"CN={commonName}");
        var certificateGenerator = new X509V3CertificateGenerator();
        certificateGenerator.SetSerialNumber(BigInteger.ProbablePrime(64, random));
        certificateGenerator.SetIssuerDN(name);
        certificateGenerator.SetSubjectDN(name);
        certificateGenerator.SetNotBefore(DateTime.UtcNow.AddDays(-1));
        certificateGenerator.SetNotAfter(DateTime.UtcNow.Add(validity ?? TimeSpan.FromDays(30)));
        certificateGenerator.SetPublicKey(keyPair.Public);
        var certificate = certificateGenerator.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", keyPair.Private, random));
        return new DtlsCertificate(certificate, keyPair.Private);
    }

    /// <summary>Computes a certificate fingerprint with the SDP's hash function name (sha-1, sha-256, sha-384, sha-512).</summary>
    public static byte[]? ComputeFingerprint(string algorithm, ReadOnlySpan<byte> der) => algorithm.ToLowerInvariant() switch
    {
#pragma warning disable CA5350 // sha-1 fingerprints are still legal in offers (RFC 8122); only used for comparison.
        "sha-1" => SHA1.HashData(der),
#pragma warning restore CA5350
        "sha-256" => SHA256.HashData(der),
        "sha-384" => SHA384.HashData(der),
        "sha-512" => SHA512.HashData(der),
        _ => null,
    };

    public static string FormatFingerprint(ReadOnlySpan<byte> hash) => string.Join(':', Convert.ToHexString(hash).Chunk(2).Select(c => new string(c)));
}
