using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;

namespace AudioStream.MediaService.WebRtc.Dtls;

/// <summary>
/// BouncyCastle's client half of a <see cref="DtlsSrtpSession"/>, as a browser plays it: offers use_srtp and presents
/// its certificate; everything both roles share is in <see cref="DtlsSrtpHandshake"/>.
/// </summary>
internal sealed class DtlsSrtpClient(TlsCrypto crypto, DtlsSrtpHandshake handshake) : DefaultTlsClient(crypto)
{
    private DtlsSrtpHandshake Handshake { get; } = handshake;

    public override int GetHandshakeTimeoutMillis() => Handshake.TimeoutMillis;

    protected override ProtocolVersion[] GetSupportedVersions() => DtlsSrtpHandshake.Versions;

    protected override int[] GetSupportedCipherSuites() => DtlsSrtpHandshake.CipherSuites;

    public override IDictionary<int, byte[]> GetClientExtensions() => DtlsSrtpHandshake.AddUseSrtp(base.GetClientExtensions());

    public override TlsAuthentication GetAuthentication() => new Authentication(this);

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        Handshake.ExportKeyingMaterial(m_context);
    }

    public override void NotifyAlertReceived(short alertLevel, short alertDescription)
    {
        base.NotifyAlertReceived(alertLevel, alertDescription);
        Handshake.OnAlertReceived(alertLevel, alertDescription);
    }

    public override void NotifyAlertRaised(short alertLevel, short alertDescription, string message, Exception cause)
    {
        base.NotifyAlertRaised(alertLevel, alertDescription, message, cause);
        Handshake.OnAlertRaised(alertLevel, alertDescription, message);
    }

    private sealed class Authentication(DtlsSrtpClient client) : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsServerCertificate serverCertificate) =>
            client.Handshake.VerifyRemoteCertificate(serverCertificate.Certificate);

        public TlsCredentials GetClientCredentials(CertificateRequest certificateRequest) =>
            client.Handshake.CreateSigner(client.Crypto, client.m_context);
    }
}
