using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using TlsHash = Org.BouncyCastle.Tls.HashAlgorithm;

namespace AudioStream.MediaService.WebRtc.Dtls;

/// <summary>
/// BouncyCastle's server half of a <see cref="DtlsSrtpSession"/>: answers use_srtp and demands the client's certificate;
/// everything both roles share is in <see cref="DtlsSrtpHandshake"/>.
/// </summary>
internal sealed class DtlsSrtpServer(TlsCrypto crypto, DtlsSrtpHandshake handshake) : DefaultTlsServer(crypto)
{
    public override int GetHandshakeTimeoutMillis() => handshake.TimeoutMillis;

    protected override ProtocolVersion[] GetSupportedVersions() => DtlsSrtpHandshake.Versions;

    protected override int[] GetSupportedCipherSuites() => DtlsSrtpHandshake.CipherSuites;

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

    public override void NotifyClientCertificate(Certificate clientCertificate) => handshake.VerifyRemoteCertificate(clientCertificate);

    public override void ProcessClientExtensions(IDictionary<int, byte[]> clientExtensions)
    {
        base.ProcessClientExtensions(clientExtensions);
        DtlsSrtpHandshake.RequireUseSrtp(clientExtensions);
    }

    public override IDictionary<int, byte[]> GetServerExtensions() => DtlsSrtpHandshake.AddUseSrtp(base.GetServerExtensions());

    protected override TlsCredentialedSigner GetECDsaSignerCredentials() => handshake.CreateSigner(Crypto, m_context);

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        handshake.ExportKeyingMaterial(m_context);
    }

    public override void NotifyAlertReceived(short alertLevel, short alertDescription)
    {
        base.NotifyAlertReceived(alertLevel, alertDescription);
        handshake.OnAlertReceived(alertLevel, alertDescription);
    }

    public override void NotifyAlertRaised(short alertLevel, short alertDescription, string message, Exception cause)
    {
        base.NotifyAlertRaised(alertLevel, alertDescription, message, cause);
        handshake.OnAlertRaised(alertLevel, alertDescription, message);
    }
}
