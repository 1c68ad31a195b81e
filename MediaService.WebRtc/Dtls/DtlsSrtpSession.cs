using System.Diagnostics;
using AudioStream.MediaService.WebRtc.Sdp;
using AudioStream.MediaService.WebRtc.Srtp;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace AudioStream.MediaService.WebRtc.Dtls;

/// <summary>
/// One DTLS-SRTP association (RFC 5764) in either role, the one home of the handshake loop: records the demultiplexer
/// hands in are queued, the handshake runs on one of the <see cref="DtlsHandshakeWorkers"/>' threads, the SRTP contexts
/// come out through <see cref="Established"/>. Afterwards no thread waits: each record that arrives is read on the
/// thread pool (one drain at a time), so the other side's close_notify or fatal alert ends the session through
/// <see cref="Ended"/> and a retransmitted final flight is answered. <see cref="Close"/> is our hang-up.
/// </summary>
public sealed class DtlsSrtpSession : IDisposable
{
    private readonly DtlsRole _role;
    private readonly DtlsSrtpHandshake _handshake;
    private readonly QueueDatagramTransport _transport;
    private readonly DtlsHandshakeWorkers _workers;
    private DtlsTransport? _dtls;
    private byte[]? _receiveBuffer;
    private long _startTimestamp;
    private int _started;
    private int _draining;
    private int _ended;
    private volatile bool _closedLocally;
    private volatile bool _closedByPeer;

    /// <param name="role">Server for an ICE-lite media node (<c>setup:passive</c>), client for a browser-like peer.</param>
    /// <param name="certificate">Our certificate, whose fingerprint our SDP carries.</param>
    /// <param name="remoteFingerprint">The other side's SDP fingerprint: its certificate must match it.</param>
    /// <param name="handshakeTimeout">How long the handshake may take before the session fails.</param>
    /// <param name="send">Puts one DTLS datagram on the wire (to wherever ICE selected).</param>
    /// <param name="workers">Where the (blocking) handshake runs.</param>
    public DtlsSrtpSession(
        DtlsRole role, DtlsCertificate certificate, SdpFingerprint remoteFingerprint, TimeSpan handshakeTimeout,
        Action<ReadOnlyMemory<byte>> send, DtlsHandshakeWorkers workers)
    {
        _role = role;
        _workers = workers;
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
    public bool Enqueue(ReadOnlySpan<byte> datagram)
    {
        if (!_transport.Enqueue(datagram))
        {
            return false;
        }

        if (Volatile.Read(ref _dtls) is not null)
        {
            ScheduleDrain();
        }

        return true;
    }

    /// <summary>Queues the handshake (once; later calls do nothing). A client sends its ClientHello when it runs.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _startTimestamp = Stopwatch.GetTimestamp();
            _workers.Run(Handshake);
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

    private void Handshake()
    {
        if (_closedLocally)
        {
            return; // hung up while it waited for a worker
        }

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
            HandshakeDuration = Stopwatch.GetElapsedTime(_startTimestamp);
            _receiveBuffer = new byte[dtls.GetReceiveLimit()];
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

            ScheduleDrain(); // records that came while the keys were handed over
        }
#pragma warning disable CA1031 // Whatever BouncyCastle throws on a bad handshake or record ends this session only.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Detail ??= $"{ex.GetType().Name}: {ex.Message}";
            End(DtlsSessionEnd.Failed);
        }
    }

    private void ScheduleDrain()
    {
        if (_transport.HasQueued && Interlocked.Exchange(ref _draining, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static session => session.Drain(), this, preferLocal: false);
        }
    }

    /// <summary>
    /// Reads the records queued after the handshake. WebRTC audio carries no DTLS application data: reading processes
    /// alerts (close_notify) and lets BouncyCastle answer a retransmitted final flight. Never waits for more than a
    /// millisecond: only queued records are read.
    /// </summary>
    private void Drain()
    {
        var dtls = Volatile.Read(ref _dtls)!;
        try
        {
            while (true)
            {
                long takenBefore = _transport.Taken;
                for (int i = _transport.QueuedCount; i > 0 && !_closedLocally && !_closedByPeer; i--)
                {
                    dtls.Receive(_receiveBuffer!, 0, _receiveBuffer!.Length, 1);
                }

                Volatile.Write(ref _draining, 0);
                // A record queued between the last read and the flag going down would otherwise wait for the next one;
                // a pass that took nothing (the record layer closed) leaves the rest rather than spin.
                if (!_transport.HasQueued || _transport.Taken == takenBefore || _closedLocally || _closedByPeer
                    || Interlocked.Exchange(ref _draining, 1) != 0)
                {
                    return;
                }
            }
        }
#pragma warning disable CA1031 // A bad record after the handshake ends this session only.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Volatile.Write(ref _draining, 0);
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
