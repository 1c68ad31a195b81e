using System.Security.Cryptography;
using AudioStream.MediaService.WebRtc.Sdp;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using TlsHash = Org.BouncyCastle.Tls.HashAlgorithm;

namespace AudioStream.MediaService.WebRtc.Dtls;

/// <summary>
/// What both roles of a DTLS-SRTP handshake (RFC 5764) share, whichever BouncyCastle peer class drives it: DTLS 1.2
/// with ECDHE_ECDSA suites (BouncyCastle's defaults are TLS versions and have none for an ECDSA certificate), our
/// ECDSA P-256 credentials, use_srtp with SRTP_AES128_CM_HMAC_SHA1_80, the remote certificate checked against the
/// SDP fingerprint (RFC 8122 §5), and the 60 bytes of keying material exported while the handshake completes.
/// </summary>
internal sealed class DtlsSrtpHandshake(DtlsCertificate certificate, SdpFingerprint expectedRemoteFingerprint, int timeoutMillis)
{
    /// <summary>RFC 5764 §4.2: client key 16 | server key 16 | client salt 14 | server salt 14.</summary>
    public const int KeyingMaterialLength = 60;

    public static readonly int[] CipherSuites =
    [
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    ];

    public int TimeoutMillis { get; } = timeoutMillis;

    public byte[]? KeyingMaterial { get; private set; }

    public bool RemoteCertificateVerified { get; private set; }

    /// <summary>Raised on the handshake thread for every alert the other side sends (level, description).</summary>
    public event Action<short, short>? AlertReceived;

    /// <summary>Raised on the handshake thread for every alert we send (level, description, why).</summary>
    public event Action<short, short, string?>? AlertRaised;

    public static ProtocolVersion[] Versions => ProtocolVersion.DTLSv12.Only();

    public static UseSrtpData UseSrtp => new([SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80], TlsUtilities.EmptyBytes);

    /// <summary>Throws a fatal bad_certificate unless the peer's first certificate hashes to the SDP fingerprint.</summary>
    public void VerifyRemoteCertificate(Certificate? chain)
    {
        if (chain is null || chain.IsEmpty)
        {
            throw new TlsFatalAlert(AlertDescription.handshake_failure);
        }

        var actual = DtlsCertificate.ComputeFingerprint(expectedRemoteFingerprint.Algorithm, chain.GetCertificateAt(0).GetEncoded());
        byte[] expected;
        try
        {
            expected = expectedRemoteFingerprint.ToBytes();
        }
        catch (FormatException)
        {
            throw new TlsFatalAlert(AlertDescription.bad_certificate);
        }

        if (actual is null || !CryptographicOperations.FixedTimeEquals(actual, expected))
        {
            throw new TlsFatalAlert(AlertDescription.bad_certificate);
        }

        RemoteCertificateVerified = true;
    }

    /// <summary>Throws a fatal handshake_failure unless the client offers use_srtp with our profile.</summary>
    public static void RequireUseSrtp(IDictionary<int, byte[]> clientExtensions)
    {
        var useSrtp = TlsSrtpUtilities.GetUseSrtpExtension(clientExtensions);
        if (useSrtp is null || !useSrtp.ProtectionProfiles.Contains(SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80))
        {
            throw new TlsFatalAlert(AlertDescription.handshake_failure);
        }
    }

    public static IDictionary<int, byte[]> AddUseSrtp(IDictionary<int, byte[]>? extensions)
    {
        var result = TlsExtensionsUtilities.EnsureExtensionsInitialised(extensions);
        TlsSrtpUtilities.AddUseSrtpExtension(result, UseSrtp);
        return result;
    }

    public TlsCredentialedSigner CreateSigner(TlsCrypto crypto, TlsContext context)
    {
        var bc = (BcTlsCrypto)crypto;
        return new BcDefaultTlsCredentialedSigner(
            new TlsCryptoParameters(context),
            bc,
            certificate.PrivateKey,
            new Certificate([new BcTlsCertificate(bc, certificate.DerEncoded)]),
            SignatureAndHashAlgorithm.GetInstance(TlsHash.sha256, SignatureAlgorithm.ecdsa));
    }

    /// <summary>Call from NotifyHandshakeComplete: the exporter is unusable once the handshake returns.</summary>
    public void ExportKeyingMaterial(TlsContext context) =>
        KeyingMaterial = context.ExportKeyingMaterial(ExporterLabel.dtls_srtp, null, KeyingMaterialLength);

    public void OnAlertReceived(short level, short description) => AlertReceived?.Invoke(level, description);

    public void OnAlertRaised(short level, short description, string? message) => AlertRaised?.Invoke(level, description, message);
}
