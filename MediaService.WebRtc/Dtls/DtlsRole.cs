namespace AudioStream.MediaService.WebRtc.Dtls;

/// <summary>Our side of the DTLS handshake (RFC 8842 §5: <c>setup:passive</c> is the server, <c>active</c> the client).</summary>
public enum DtlsRole
{
    Server,
    Client,
}
