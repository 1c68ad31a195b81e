using System.Security.Cryptography;
using Org.BouncyCastle.Tls;
using TlsHash = Org.BouncyCastle.Tls.HashAlgorithm;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using AudioStream.MediaService.WebRtc.Sdp;

namespace AudioStream.MediaService.WebRtc.Dtls;

/// <summary>
/// The DTLS 1.2 server of a DTLS-SRTP association (RFC 5764): ECDSA P-256 credentials, ECDHE_ECDSA suites,
/// use_srtp answered with SRTP_AES128_CM_HMAC_SHA1_80, a client certificate demanded and checked against the offer's
/// fingerprint, and the 60 bytes of SRTP keying material exported while the handshake completes.
/// </summary>
internal sealed class DtlsSrtpServer : DefaultTlsServer
{
    private static readonly int[] Suites =
    [
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    ];

    private readonly DtlsCertificate _certificate;
    private readonly SdpFingerprint _expectedClientFingerprint;
    private readonly int _handshakeTimeoutMillis;

    public DtlsSrtpServer(BcTlsCrypto crypto, DtlsCertificate certificate, SdpFingerprint expectedClientFingerprint, int handshakeTimeoutMillis)
        : base(crypto)
    {
        _certificate = certificate;
        _expectedClientFingerprint = expectedClientFingerprint;
        _handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    public byte[]? KeyingMaterial { get; private set; }

    public bool ClientCertificateVerified { get; private set; }

    /// <summary>Raised on the handshake thread when the peer sends close_notify or a fatal alert.</summary>
    public event Action<short, short>? AlertReceived;

    public event Action<short, short, string?>? AlertRaised;

    public override int GetHandshakeTimeoutMillis() => _handshakeTimeoutMillis;

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    protected override int[] GetSupportedCipherSuites() => Suites;

    public override CertificateRequest GetCertificateRequest()
    {
        var signatureAlgorithms = new List<SignatureAndHashAlgorithm>
        {
            SignatureAndHashAlgorithm.GetInstance(TlsHash.sha256, SignatureAlgorithm.ecdsa),
            SignatureAndHashAlgorithm.GetInstance(TlsHash.sha256, SignatureAlgorithm.rsa),
            SignatureAndHashAlgorithm.GetInstance(TlsHash.sha384, SignatureAlgorithm.ecdsa),
            SignatureAndHashAlgorithm.GetInstance(TlsHash.sha384, SignatureAlgorithm.rsa),
            SignatureAndHashAlgorithm.GetInstance(TlsHash.sha512, SignatureAlgorithm.rsa),
            SignatureAndHashAlgorithm.rsa_pss_rsae_sha256,
            SignatureAndHashAlgorithm.GetInstance(TlsHash.sha1, SignatureAlgorithm.rsa),
        };
        return new CertificateRequest([ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign], signatureAlgorithms, null);
    }

    public override void NotifyClientCertificate(Certificate clientCertificate)
    {
        if (clientCertificate is null || clientCertificate.IsEmpty)
        {
            throw new TlsFatalAlert(AlertDescription.handshake_failure);
        }

        var der = clientCertificate.GetCertificateAt(0).GetEncoded();
        var actual = DtlsCertificate.ComputeFingerprint(_expectedClientFingerprint.Algorithm, der);
        byte[] expected;
        try
        {
            expected = _expectedClientFingerprint.ToBytes();
        }
        catch (FormatException)
        {
            throw new TlsFatalAlert(AlertDescription.bad_certificate);
        }

        if (actual is null || !CryptographicOperations.FixedTimeEquals(actual, expected))
        {
            throw new TlsFatalAlert(AlertDescription.bad_certificate);
        }

        ClientCertificateVerified = true;
    }

    public override void ProcessClientExtensions(IDictionary<int, byte[]> clientExtensions)
    {
        base.ProcessClientExtensions(clientExtensions);
        var useSrtp = TlsSrtpUtilities.GetUseSrtpExtension(clientExtensions);
        if (useSrtp is null || !useSrtp.ProtectionProfiles.Contains(SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80))
        {
            throw new TlsFatalAlert(AlertDescription.handshake_failure);
        }
    }

    public override IDictionary<int, byte[]> GetServerExtensions()
    {
        var extensions = TlsExtensionsUtilities.EnsureExtensionsInitialised(base.GetServerExtensions());
        TlsSrtpUtilities.AddUseSrtpExtension(
            extensions,
            new UseSrtpData([SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80], TlsUtilities.EmptyBytes));
        return extensions;
    }

    protected override TlsCredentialedSigner GetECDsaSignerCredentials()
    {
        var crypto = (BcTlsCrypto)Crypto;
        var certificate = new Certificate([new BcTlsCertificate(crypto, _certificate.DerEncoded)]);
        return new BcDefaultTlsCredentialedSigner(
            new TlsCryptoParameters(m_context),
            crypto,
            _certificate.PrivateKey,
            certificate,
            SignatureAndHashAlgorithm.GetInstance(TlsHash.sha256, SignatureAlgorithm.ecdsa));
    }

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        // RFC 5764 §4.2; the exporter is unusable once the handshake returns.
        KeyingMaterial = m_context.ExportKeyingMaterial(ExporterLabel.dtls_srtp, null, 60);
    }

    public override void NotifyAlertReceived(short alertLevel, short alertDescription)
    {
        base.NotifyAlertReceived(alertLevel, alertDescription);
        AlertReceived?.Invoke(alertLevel, alertDescription);
    }

    public override void NotifyAlertRaised(short alertLevel, short alertDescription, string message, Exception cause)
    {
        base.NotifyAlertRaised(alertLevel, alertDescription, message, cause);
        AlertRaised?.Invoke(alertLevel, alertDescription, message);
    }
}
