using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using AudioStream.MediaService.WebRtc.Dtls;
using AudioStream.MediaService.WebRtc.Ice;
using AudioStream.MediaService.WebRtc.Mux;
using AudioStream.MediaService.WebRtc.Rtcp;
using AudioStream.MediaService.WebRtc.Sdp;
using AudioStream.MediaService.WebRtc.Srtp;
using AudioStream.MediaService.WebRtc.Transport;

namespace AudioStream.MediaService.WebRtc;

/// <summary>
/// One browser (or WHIP/WHEP client) on the endpoint: ICE-lite checks, a DTLS-SRTP handshake (server role), then
/// media, all sent on the path ICE selected (<see cref="PeerTransport"/>). Packets reach it through a bounded queue,
/// so a flood towards one peer costs only that peer.
/// </summary>
public abstract class WebRtcPeer : IDisposable
{
    private const int MaxPendingBeforeKeys = 128;

    private readonly WebRtcEndpoint _endpoint;
    private readonly Channel<Inbound> _inbound;
    private readonly DtlsSrtpSession _dtls;
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Inbound> _pendingBeforeKeys = [];
    private readonly long _createdTimestamp;
    private readonly Lock _sendLock = new();
    private int _state;
    private long _bufferedBytes;
    private PeerTransport? _transport;
    private SrtpContext? _srtpIn;
    private SrtpContext? _srtpOut;

    private protected WebRtcPeer(WebRtcEndpoint endpoint, SdpNegotiation negotiation, string localUfrag, string localPwd)
    {
        _endpoint = endpoint;
        Negotiation = negotiation;
        Ice = new IceLiteResponder(localUfrag, localPwd, negotiation.RemoteUfrag);
        _createdTimestamp = endpoint.TimeProvider.GetTimestamp();
        _inbound = Channel.CreateBounded<Inbound>(new BoundedChannelOptions(endpoint.Options.PeerQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
        _dtls = new DtlsSrtpSession(
            DtlsRole.Server, endpoint.Certificate, negotiation.RemoteFingerprint, endpoint.Options.DtlsHandshakeTimeout,
            datagram => Volatile.Read(ref _transport)?.Send(datagram.Span), endpoint.HandshakeWorkers);
        _dtls.Established += OnDtlsEstablished;
        _dtls.Ended += end => Close(end == DtlsSessionEnd.CloseNotify ? PeerCloseReason.DtlsCloseNotify : PeerCloseReason.DtlsFailed);
        _ = Task.Run(ProcessInboundAsync);
    }

    public string Id => Ice.LocalUfrag;

    public PeerState State => (PeerState)Volatile.Read(ref _state);

    public PeerCloseReason CloseReason { get; private set; }

    /// <summary>What ended the peer, in words (the DTLS alert or exception), for logs.</summary>
    public string? CloseDetail => _dtls.Detail;

    public SdpNegotiation Negotiation { get; }

    /// <summary>The peer's address on the path ICE selected (a TURN relay's, when it is relayed); null before a check.</summary>
    public IPEndPoint? RemoteEndPoint => Volatile.Read(ref _transport)?.RemoteEndPoint;

    /// <summary>Our address on the selected path: the candidate the peer reached.</summary>
    public IPEndPoint? LocalEndPoint => Volatile.Read(ref _transport)?.LocalEndPoint;

    /// <summary>Time from the first DTLS datagram to the keys being exported.</summary>
    public TimeSpan? HandshakeDuration => _dtls.HandshakeDuration;

    public PeerCounters Counters => CounterSet.Snapshot();

    /// <summary>Raised once, from a thread-pool thread, when the peer closes for any reason.</summary>
    public event EventHandler<PeerClosedEventArgs>? Closed;

    public event EventHandler<PeerState>? StateChanged;

    internal IceLiteResponder Ice { get; }

    internal PeerCounterSet CounterSet { get; } = new();

    internal long CreatedTimestamp => _createdTimestamp;

    private protected TimeProvider Time => _endpoint.TimeProvider;

    /// <summary>How often a connected peer sends its RTCP report (RR for a broadcaster, SR for a listener).</summary>
    private protected static TimeSpan ReportInterval { get; } = TimeSpan.FromSeconds(2);

    private protected abstract string Kind { get; }

    /// <summary>Completes when ICE and DTLS are up; faults with <see cref="PeerClosedException"/> if the peer closes first.</summary>
    public Task WaitConnectedAsync(CancellationToken cancellationToken = default) =>
        _connected.Task.WaitAsync(cancellationToken);

    public void Dispose()
    {
        Close(PeerCloseReason.Disposed);
        GC.SuppressFinalize(this);
    }

    internal void Close(PeerCloseReason reason)
    {
        int previous = Interlocked.Exchange(ref _state, (int)PeerState.Closed);
        if (previous == (int)PeerState.Closed)
        {
            return;
        }

        CloseReason = reason;
        _dtls.Close(); // close_notify leaves before the endpoint closes a TCP path
        _endpoint.Remove(this);
        _inbound.Writer.TryComplete();
        _connected.TrySetException(new PeerClosedException(reason));
        _ = _connected.Task.Exception; // observed
        OnClosed();
        lock (_sendLock)
        {
            _srtpOut?.Dispose();
            _srtpOut = null;
        }

        ThreadPool.QueueUserWorkItem(_ =>
        {
            try
            {
                StateChanged?.Invoke(this, PeerState.Closed);
                Closed?.Invoke(this, new PeerClosedEventArgs(reason));
            }
#pragma warning disable CA1031 // A subscriber's exception must not take the endpoint down.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        });
    }

    private protected virtual void OnClosed()
    {
    }

    /// <summary>
    /// Called on the endpoint's receive thread after a valid ICE check that came to <paramref name="socket"/> from
    /// <paramref name="remote"/>. The first valid path carries media until the browser nominates one (USE-CANDIDATE),
    /// the same rule <see cref="IceLiteResponder"/> applies to the remote address.
    /// </summary>
    internal void OnValidCheck(LocalUdpSocket socket, SocketAddress remote, bool nominated)
    {
        if (SelectsPath(nominated, Volatile.Read(ref _transport) is UdpPeerTransport udp && udp.IsPath(socket, remote)))
        {
            Volatile.Write(ref _transport, new UdpPeerTransport(socket, remote));
        }

        OnValidCheck();
    }

    /// <summary>The same for a check that came over an ICE-TCP connection (the connection is the path).</summary>
    internal void OnValidCheck(PeerTransport connection, bool nominated)
    {
        if (SelectsPath(nominated, ReferenceEquals(Volatile.Read(ref _transport), connection)))
        {
            Volatile.Write(ref _transport, connection);
        }

        OnValidCheck();
    }

    private bool SelectsPath(bool nominated, bool isCurrentPath) =>
        Volatile.Read(ref _transport) is null || (nominated && !isCurrentPath);

    private void OnValidCheck()
    {
        Interlocked.Increment(ref CounterSet.IceChecks);
        SetState(PeerState.New, PeerState.Connecting);
    }

    internal void EnqueueDtls(ReadOnlySpan<byte> datagram)
    {
        if (State == PeerState.Closed)
        {
            return;
        }

        Interlocked.Increment(ref CounterSet.DtlsIn);
        if (!DtlsRecord.TryCountRecords(datagram, out _))
        {
            CountMalformed(); // not whole DTLS records: never reaches the handshake's queue
            return;
        }

        if (!_dtls.Enqueue(datagram))
        {
            Interlocked.Increment(ref CounterSet.QueueDropped);
            WebRtcMetrics.DroppedMalformed.Add(1);
            return;
        }

        _dtls.Start();
    }

    /// <summary>Queues one SRTP or SRTCP packet (<paramref name="kind"/> from the demultiplexer) for the peer's reader.</summary>
    internal void EnqueueMedia(ReadOnlySpan<byte> datagram, PacketKind kind)
    {
        // Bounded in bytes as well as in packets: what a peer has queued and kept for its keys stays under the budget.
        if (Interlocked.Add(ref _bufferedBytes, datagram.Length) > _endpoint.Options.PeerBufferBytes)
        {
            Interlocked.Add(ref _bufferedBytes, -datagram.Length);
            Interlocked.Increment(ref CounterSet.QueueDropped);
            WebRtcMetrics.DroppedMalformed.Add(1);
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(datagram.Length);
        datagram.CopyTo(buffer);
        if (!_inbound.Writer.TryWrite(new Inbound(buffer, datagram.Length, kind == PacketKind.Rtcp)))
        {
            ArrayPool<byte>.Shared.Return(buffer);
            Interlocked.Add(ref _bufferedBytes, -datagram.Length);
            Interlocked.Increment(ref CounterSet.QueueDropped);
            WebRtcMetrics.DroppedMalformed.Add(1);
        }
    }

    /// <summary>Encrypts and sends one RTP packet built in <paramref name="buffer"/>; drops it while not connected.</summary>
    private protected bool SendRtp(Span<byte> buffer, int rtpLength)
    {
        lock (_sendLock)
        {
            var transport = Volatile.Read(ref _transport);
            if (State != PeerState.Connected || _srtpOut is null || transport is null)
            {
                Interlocked.Increment(ref CounterSet.FramesSendDropped);
                return false;
            }

            int length = _srtpOut.ProtectRtp(buffer, rtpLength);
            if (length < 0)
            {
                return false;
            }

            if (transport.Send(buffer[..length]))
            {
                Interlocked.Increment(ref CounterSet.PacketsOut);
                Interlocked.Add(ref CounterSet.BytesOut, length);
                WebRtcMetrics.PacketsOut.Add(1, new KeyValuePair<string, object?>("kind", Kind));
                return true;
            }

            return false;
        }
    }

    /// <summary>Encrypts (SRTCP) and sends one RTCP compound built in <paramref name="buffer"/>; false while not connected.</summary>
    private protected bool SendRtcp(Span<byte> buffer, int rtcpLength)
    {
        lock (_sendLock)
        {
            var transport = Volatile.Read(ref _transport);
            if (State != PeerState.Connected || _srtpOut is null || transport is null)
            {
                return false;
            }

            int length = _srtpOut.ProtectRtcp(buffer, rtcpLength);
            if (length < 0 || !transport.Send(buffer[..length]))
            {
                return false;
            }

            Interlocked.Increment(ref CounterSet.RtcpOut);
            return true;
        }
    }

    /// <summary>Called about once a second by the endpoint while connected: time to send RTCP reports, if any.</summary>
    internal virtual void OnReportTimer(long timestamp)
    {
    }

    /// <summary>An authenticated, decrypted RTP packet (payload type not yet checked).</summary>
    private protected abstract void OnRtp(ReadOnlySpan<byte> rtp);

    private protected void CountLost(long lost)
    {
        if (lost > 0)
        {
            Interlocked.Add(ref CounterSet.PacketsLost, lost);
            WebRtcMetrics.PacketsLost.Add(lost, new KeyValuePair<string, object?>("kind", Kind));
        }
    }

    private protected void CountMalformed()
    {
        Interlocked.Increment(ref CounterSet.Malformed);
        WebRtcMetrics.DroppedMalformed.Add(1);
    }

    private void SetState(PeerState from, PeerState to)
    {
        if (Interlocked.CompareExchange(ref _state, (int)to, (int)from) == (int)from)
        {
            ThreadPool.QueueUserWorkItem(_ => StateChanged?.Invoke(this, to));
        }
    }

    /// <summary>On the DTLS thread once the handshake verified the browser's certificate: media may flow.</summary>
    private void OnDtlsEstablished(SrtpContext inbound, SrtpContext outbound)
    {
        lock (_sendLock)
        {
            if (State == PeerState.Closed)
            {
                inbound.Dispose();
                outbound.Dispose();
                return;
            }

            _srtpOut = outbound;
        }

        _srtpIn = inbound;
        if (!_inbound.Writer.TryWrite(Inbound.KeysReady))
        {
            // The queue is full of media; the next media packet flushes the pending ones anyway.
        }

        SetState(PeerState.Connecting, PeerState.Connected);
        SetState(PeerState.New, PeerState.Connected);
        if (State == PeerState.Connected)
        {
            _connected.TrySetResult();
        }
    }

    private async Task ProcessInboundAsync()
    {
        var reader = _inbound.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    try
                    {
                        Process(item);
                    }
#pragma warning disable CA1031 // A packet that breaks a parser is dropped, never the loop.
                    catch (Exception)
#pragma warning restore CA1031
                    {
                        CountMalformed();
                    }
                    finally
                    {
                        Release(item);
                    }
                }
            }
        }
        finally
        {
            foreach (var pending in _pendingBeforeKeys)
            {
                Release(pending);
            }

            _pendingBeforeKeys.Clear();
            _srtpIn?.Dispose();
            _srtpIn = null;
        }
    }

    private void Process(Inbound item)
    {
        var srtp = _srtpIn;
        if (item.Buffer is null)
        {
            FlushPending();
            return;
        }

        if (srtp is null)
        {
            // Chromium may send SRTP before our side has finished the handshake: keep it for when the keys arrive.
            if (_pendingBeforeKeys.Count < MaxPendingBeforeKeys)
            {
                var copy = ArrayPool<byte>.Shared.Rent(item.Length);
                item.Buffer.AsSpan(0, item.Length).CopyTo(copy);
                Interlocked.Add(ref _bufferedBytes, item.Length); // the copy stays; the queued original is released
                _pendingBeforeKeys.Add(item with { Buffer = copy });
            }
            else
            {
                Interlocked.Increment(ref CounterSet.QueueDropped);
            }

            return;
        }

        if (_pendingBeforeKeys.Count > 0)
        {
            FlushPending();
        }

        Unprotect(srtp, item.Buffer.AsSpan(0, item.Length), item.Rtcp);
    }

    private void FlushPending()
    {
        var srtp = _srtpIn;
        if (srtp is null)
        {
            return;
        }

        foreach (var pending in _pendingBeforeKeys)
        {
            try
            {
                Unprotect(srtp, pending.Buffer!.AsSpan(0, pending.Length), pending.Rtcp);
            }
#pragma warning disable CA1031
            catch (Exception)
#pragma warning restore CA1031
            {
                CountMalformed();
            }
            finally
            {
                Release(pending);
            }
        }

        _pendingBeforeKeys.Clear();
    }

    private void Unprotect(SrtpContext srtp, Span<byte> packet, bool rtcp)
    {
        var result = rtcp ? srtp.UnprotectRtcp(packet, out int length) : srtp.UnprotectRtp(packet, out length);
        switch (result)
        {
            case SrtpResult.Ok:
                break;
            case SrtpResult.AuthenticationFailed:
                Interlocked.Increment(ref CounterSet.SrtpAuthFailures);
                WebRtcMetrics.SrtpAuthFailures.Add(1, new KeyValuePair<string, object?>("kind", Kind));
                return;
            case SrtpResult.Replayed:
                Interlocked.Increment(ref CounterSet.DuplicatePackets);
                return;
            default:
                CountMalformed();
                return;
        }

        Ice.NoteAuthenticatedMedia(Time.GetTimestamp());
        Interlocked.Increment(ref CounterSet.PacketsIn);
        Interlocked.Add(ref CounterSet.BytesIn, packet.Length);
        WebRtcMetrics.PacketsIn.Add(1, new KeyValuePair<string, object?>("kind", Kind));
        if (rtcp)
        {
            Interlocked.Increment(ref CounterSet.RtcpIn);
            if (!RtcpCompound.TryParse(packet[..length], out var compound, out _))
            {
                CountMalformed();
                return;
            }

            OnRtcp(compound);
            return;
        }

        OnRtp(packet[..length]);
    }

    /// <summary>An authenticated RTCP compound arrived (the compound is not kept: it is parsed per packet).</summary>
    private protected virtual void OnRtcp(RtcpCompound compound)
    {
    }

    private void Release(Inbound item)
    {
        if (item.Buffer is not null)
        {
            Interlocked.Add(ref _bufferedBytes, -item.Length);
        }

        item.Return();
    }

    private readonly record struct Inbound(byte[]? Buffer, int Length, bool Rtcp)
    {
        public static Inbound KeysReady => new(null, 0, false);

        public void Return()
        {
            if (Buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(Buffer);
            }
        }
    }
}
