using System.Security.Cryptography;
using AudioStream.MediaService.WebRtc.Dtls;
using AudioStream.MediaService.WebRtc.Sdp;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using TlsHash = Org.BouncyCastle.Tls.HashAlgorithm;

namespace AudioStream.MediaService.WebRtc.Client;

/// <summary>
/// The DTLS 1.2 client side of a DTLS-SRTP association, as a browser plays it: offers use_srtp
/// (SRTP_AES128_CM_HMAC_SHA1_80), presents its certificate, checks the server's against the answer's fingerprint and
/// exports the 60 bytes of SRTP keying material.
/// </summary>
internal sealed class DtlsSrtpClient : DefaultTlsClient
{
    private readonly DtlsCertificate _certificate;
    private readonly SdpFingerprint _expectedServerFingerprint;

    private readonly int _handshakeTimeoutMillis;

    public DtlsSrtpClient(BcTlsCrypto crypto, DtlsCertificate certificate, SdpFingerprint expectedServerFingerprint, int handshakeTimeoutMillis)
        : base(crypto)
    {
        _certificate = certificate;
        _expectedServerFingerprint = expectedServerFingerprint;
        _handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    public byte[]? KeyingMaterial { get; private set; }

    /// <summary>Raised when the server sends close_notify or a fatal alert.</summary>
    public event Action? ClosedByPeer;

    public override int GetHandshakeTimeoutMillis() => _handshakeTimeoutMillis;

    public override void NotifyAlertReceived(short alertLevel, short alertDescription)
    {
        base.NotifyAlertReceived(alertLevel, alertDescription);
        if (alertDescription == AlertDescription.close_notify || alertLevel == AlertLevel.fatal)
        {
            ClosedByPeer?.Invoke();
        }
    }

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    protected override int[] GetSupportedCipherSuites() =>
    [
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    ];

    public override IDictionary<int, byte[]> GetClientExtensions()
    {
        var extensions = TlsExtensionsUtilities.EnsureExtensionsInitialised(base.GetClientExtensions());
        TlsSrtpUtilities.AddUseSrtpExtension(
            extensions,
            new UseSrtpData([SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80], TlsUtilities.EmptyBytes));
        return extensions;
    }

    public override TlsAuthentication GetAuthentication() => new Authentication(this);

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        KeyingMaterial = m_context.ExportKeyingMaterial(ExporterLabel.dtls_srtp, null, 60);
    }

    private sealed class Authentication(DtlsSrtpClient client) : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsServerCertificate serverCertificate)
        {
            var chain = serverCertificate.Certificate;
            if (chain is null || chain.IsEmpty)
            {
                throw new TlsFatalAlert(AlertDescription.bad_certificate);
            }

            var actual = DtlsCertificate.ComputeFingerprint(
                client._expectedServerFingerprint.Algorithm, chain.GetCertificateAt(0).GetEncoded());
            if (actual is null || !CryptographicOperations.FixedTimeEquals(actual, client._expectedServerFingerprint.ToBytes()))
            {
                throw new TlsFatalAlert(AlertDescription.bad_certificate);
            }
        }

        public TlsCredentials GetClientCredentials(CertificateRequest certificateRequest)
        {
            var bc = (BcTlsCrypto)client.Crypto;
            return new BcDefaultTlsCredentialedSigner(
                new TlsCryptoParameters(client.m_context),
                bc,
                client._certificate.PrivateKey,
                new Certificate([new BcTlsCertificate(bc, client._certificate.DerEncoded)]),
                SignatureAndHashAlgorithm.GetInstance(TlsHash.sha256, SignatureAlgorithm.ecdsa));
        }
    }
}
