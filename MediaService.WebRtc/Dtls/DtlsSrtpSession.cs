using System.Diagnostics;
using AudioStream.MediaService.WebRtc.Sdp;
using AudioStream.MediaService.WebRtc.Srtp;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace AudioStream.MediaService.WebRtc.Dtls;

/// <summary>
/// One DTLS-SRTP association (RFC 5764) in either role, the one home of the handshake loop: records the demultiplexer
/// hands in are queued, the handshake runs on its own thread, the SRTP contexts come out through
/// <see cref="Established"/>, and afterwards the thread keeps reading so the other side's close_notify or fatal alert
/// ends the session through <see cref="Ended"/>. <see cref="Close"/> is our hang-up.
/// </summary>
public sealed class DtlsSrtpSession : IDisposable
{
    private readonly DtlsRole _role;
    private readonly DtlsSrtpHandshake _handshake;
    private readonly QueueDatagramTransport _transport;
    private readonly string _name;
    private DtlsTransport? _dtls;
    private int _started;
    private int _ended;
    private volatile bool _closedLocally;
    private volatile bool _closedByPeer;

    /// <param name="role">Server for an ICE-lite media node (<c>setup:passive</c>), client for a browser-like peer.</param>
    /// <param name="certificate">Our certificate, whose fingerprint our SDP carries.</param>
    /// <param name="remoteFingerprint">The other side's SDP fingerprint: its certificate must match it.</param>
    /// <param name="handshakeTimeout">How long the handshake may take before the session fails.</param>
    /// <param name="send">Puts one DTLS datagram on the wire (to wherever ICE selected).</param>
    /// <param name="name">Names the session's thread.</param>
    public DtlsSrtpSession(
        DtlsRole role, DtlsCertificate certificate, SdpFingerprint remoteFingerprint, TimeSpan handshakeTimeout,
        Action<ReadOnlyMemory<byte>> send, string name)
    {
        _role = role;
        _name = name;
        _handshake = new DtlsSrtpHandshake(certificate, remoteFingerprint, (int)handshakeTimeout.TotalMilliseconds);
        _handshake.AlertRaised += (_, description, message) => Detail = $"we raised {AlertDescription.GetText(description)}: {message}";
        _handshake.AlertReceived += OnAlertReceived;
        _transport = new QueueDatagramTransport(send);
    }

    /// <summary>
    /// Raised once on the session's thread when the handshake has succeeded and the peer's certificate matched:
    /// (inbound, outbound) SRTP contexts, which the receiver owns from then on.
    /// </summary>
    public event Action<SrtpContext, SrtpContext>? Established;

    /// <summary>Raised at most once when the other side ends the session or the handshake fails; never after <see cref="Close"/>.</summary>
    public event Action<DtlsSessionEnd>? Ended;

    public bool IsStarted => Volatile.Read(ref _started) != 0;

    /// <summary>Time from <see cref="Start"/> to the keys being exported.</summary>
    public TimeSpan? HandshakeDuration { get; private set; }

    /// <summary>What ended the session, in words (the DTLS alert or exception), for logs.</summary>
    public string? Detail { get; private set; }

    /// <summary>Queues one received DTLS record; false (dropped) when the queue is full or the session closed.</summary>
    public bool Enqueue(ReadOnlySpan<byte> datagram) => _transport.Enqueue(datagram);

    /// <summary>Starts the handshake thread (once; later calls do nothing). A client sends its ClientHello at once.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            new Thread(Run) { IsBackground = true, Name = _name }.Start();
        }
    }

    /// <summary>Our hang-up: close_notify when established (unless the other side sent one), then the thread ends.</summary>
    public void Close()
    {
        if (_closedLocally)
        {
            return;
        }

        _closedLocally = true;
        if (!_closedByPeer && Volatile.Read(ref _dtls) is { } dtls)
        {
            try
            {
                dtls.Close();
            }
            catch (Exception ex) when (ex is IOException or TlsException or InvalidOperationException or ObjectDisposedException)
            {
                // Best effort close_notify.
            }
        }

        _transport.Close();
    }

    public void Dispose() => Close();

    private void Run()
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var crypto = new BcTlsCrypto(new SecureRandom());
            var dtls = _role == DtlsRole.Server
                ? new DtlsServerProtocol().Accept(new DtlsSrtpServer(crypto, _handshake), _transport)
                : new DtlsClientProtocol().Connect(new DtlsSrtpClient(crypto, _handshake), _transport);
            if (_handshake.KeyingMaterial is not { } material || !_handshake.RemoteCertificateVerified)
            {
                Detail ??= "the handshake ended without verified keys";
                End(DtlsSessionEnd.Failed);
                return;
            }

            var (clientKeys, serverKeys) = SrtpContext.FromDtlsKeyingMaterial(material);
            material.AsSpan().Clear();
            HandshakeDuration = stopwatch.Elapsed;
            Volatile.Write(ref _dtls, dtls);
            if (_closedLocally)
            {
                clientKeys.Dispose();
                serverKeys.Dispose();
                return;
            }

            // RFC 5764 §4.2: each side protects with its own write key and reads with the other's.
            if (_role == DtlsRole.Server)
            {
                Established?.Invoke(clientKeys, serverKeys);
            }
            else
            {
                Established?.Invoke(serverKeys, clientKeys);
            }

            // WebRTC audio carries no DTLS application data; reading processes alerts (close_notify) until closed.
            var buffer = new byte[dtls.GetReceiveLimit()];
            while (!_closedLocally)
            {
                if (dtls.Receive(buffer, 0, buffer.Length, 1000) < 0 && _transport.IsClosed)
                {
                    break;
                }
            }
        }
#pragma warning disable CA1031 // Whatever BouncyCastle throws on a bad handshake or record ends this session only.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Detail ??= $"{ex.GetType().Name}: {ex.Message}";
            End(DtlsSessionEnd.Failed);
        }
    }

    private void OnAlertReceived(short level, short description)
    {
        Detail = $"peer sent {AlertDescription.GetText(description)}";
        if (description == AlertDescription.close_notify)
        {
            _closedByPeer = true;
            End(DtlsSessionEnd.CloseNotify);
        }
        else if (level == AlertLevel.fatal)
        {
            End(DtlsSessionEnd.Failed);
        }
    }

    private void End(DtlsSessionEnd reason)
    {
        if (!_closedLocally && Interlocked.Exchange(ref _ended, 1) == 0)
        {
            Ended?.Invoke(reason);
        }
    }
}
