using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using AudioStream.MediaService.WebRtc.Dtls;
using AudioStream.MediaService.WebRtc.Ice;
using AudioStream.MediaService.WebRtc.Mux;
using AudioStream.MediaService.WebRtc.Rtcp;
using AudioStream.MediaService.WebRtc.Rtp;
using AudioStream.MediaService.WebRtc.Sdp;
using AudioStream.MediaService.WebRtc.Srtp;
using AudioStream.MediaService.WebRtc.Stun;
using AudioStream.MediaService.WebRtc.Transport;

namespace AudioStream.MediaService.WebRtc.Client;

/// <summary>
/// A WHIP/WHEP client in C#, playing the browser's part against an ICE-lite server: it writes the SDP offer, sends
/// ICE checks (controlling, USE-CANDIDATE) to every UDP candidate of the answer it can reach, keeps the first that
/// answers (consent every 2 s), runs the DTLS client handshake and exchanges Opus over SRTP. With <c>overTcp</c> it
/// plays a browser whose network drops UDP: it connects to a passive ICE-TCP candidate (RFC 6544) and frames every
/// packet with RFC 4571. Cheap enough to run hundreds in one process, which is what load benchmarks and tests need;
/// it never decodes audio itself (the caller does, if it wants to).
/// </summary>
public sealed class WebRtcClient : IDisposable
{
    public const int OpusPayloadType = 111;

    private static readonly TimeSpan ConsentInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan CheckRetryInterval = TimeSpan.FromMilliseconds(50);

    private readonly Socket? _udp;
    private readonly IPAddress _bindAddress;
    private readonly Lock _streamWriteLock = new();
    private readonly byte[] _frameBuffer = new byte[Rfc4571Framing.HeaderLength + ushort.MaxValue];
    private NetworkStream? _stream;
    private Socket? _tcp;
    private readonly DtlsCertificate _certificate;
    private readonly string _ufrag;
    private readonly string _pwd;
    private readonly ulong _tieBreaker = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _iceUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _established = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _sendLock = new();
    private readonly byte[] _sendBuffer = new byte[RtpPacket.FixedHeaderLength + 1500 + SrtpContext.AuthTagLength];
    private DtlsSrtpSession? _dtls;
    private SrtpContext? _srtpOut;
    private SrtpContext? _srtpIn;
    private IPEndPoint[] _candidates = [];
    private IPEndPoint? _server;
    private byte[]? _serverKey;
    private string? _stunUsername;
    private ushort _sequence = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue);
    private uint _timestamp = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
    private long _packetsSent;
    private long _packetsReceived;
    private long _authFailures;
    private long _rtcpReceived;
    private int _disposed;

    /// <param name="sends">True for a WHIP sender (sendonly), false for a WHEP listener (recvonly).</param>
    /// <param name="certificate">The DTLS certificate; a process-wide one by default (creating one costs ~10 ms).</param>
    /// <param name="bindAddress">Local address to bind; loopback by default.</param>
    /// <param name="overTcp">Use only the answer's passive TCP candidates (ICE-TCP), as a browser that cannot send UDP.</param>
    public WebRtcClient(bool sends, DtlsCertificate? certificate = null, IPAddress? bindAddress = null, bool overTcp = false)
    {
        OverTcp = overTcp;
        Sends = sends;
        _certificate = certificate ?? DtlsCertificate.Shared;
        (_ufrag, _pwd) = IceLiteResponder.CreateCredentials();
        _bindAddress = bindAddress ?? IPAddress.Loopback;
        if (!overTcp)
        {
            _udp = new Socket(_bindAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            _udp.Bind(new IPEndPoint(_bindAddress, 0));
        }
        Ssrc = (uint)RandomNumberGenerator.GetInt32(int.MaxValue) | 1u;
        Offer = BuildOffer();
    }

    public bool Sends { get; }

    /// <summary>Whether the client uses ICE-TCP instead of UDP.</summary>
    public bool OverTcp { get; }

    public uint Ssrc { get; }

    /// <summary>The SDP offer to POST to a WHIP or WHEP endpoint.</summary>
    public string Offer { get; }

    /// <summary>The server candidate whose check was answered first (null before): the address media flows to.</summary>
    public IPEndPoint? ServerEndPoint => Volatile.Read(ref _server);

    /// <summary>Receiver only: every RTP packet, on the receive loop's thread (keep it short).</summary>
    public RtpReceivedHandler? RtpReceived { get; set; }

    public long PacketsSent => Interlocked.Read(ref _packetsSent);

    /// <summary>Sender: the RTP sequence number of the last packet sent.</summary>
    public ushort LastSequenceSent { get; private set; }

    public long PacketsReceived => Interlocked.Read(ref _packetsReceived);

    public long SrtpAuthFailures => Interlocked.Read(ref _authFailures);

    /// <summary>RTCP compounds received from the server.</summary>
    public long RtcpReceived => Interlocked.Read(ref _rtcpReceived);

    /// <summary>Receiver: the server's last sender report.</summary>
    public RtcpSenderInfo? LastSenderReport { get; private set; }

    /// <summary>Sender: the server's last receiver-report block about our stream.</summary>
    public RtcpReportBlock? LastReceiverReport { get; private set; }

    public bool IsConnected => Volatile.Read(ref _srtpOut) is not null && !IsClosed;

    public bool IsClosed => _closed.Task.IsCompleted;

    /// <summary>Completes when the server hangs up (DTLS close_notify) or the client is disposed.</summary>
    public Task Closed => _closed.Task;

    /// <summary>Takes the SDP answer, then connects: ICE checks until one is answered, then the DTLS handshake.</summary>
    public async Task ConnectAsync(string answerSdp, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var answer = SessionDescription.Parse(answerSdp);
        var media = answer.Media.Find(m => m.Port != 0) ?? throw new SdpParseException("the answer accepts no media section");
        var ufrag = answer.UfragFor(media) ?? throw new SdpParseException("the answer has no ice-ufrag");
        var pwd = answer.PwdFor(media) ?? throw new SdpParseException("the answer has no ice-pwd");
        var fingerprint = answer.FingerprintFor(media) ?? throw new SdpParseException("the answer has no fingerprint");
        _candidates = ReachableCandidates(media);
        if (_candidates.Length == 0)
        {
            throw new SdpParseException(
                $"the answer has no {(OverTcp ? "passive TCP" : "UDP")} host candidate this client ({_bindAddress}) can reach");
        }

        _serverKey = StunMessage.ShortTermKey(pwd);
        _stunUsername = $"{ufrag}:{_ufrag}";

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        deadline.CancelAfter(timeout);
        if (OverTcp)
        {
            await ConnectTcpAsync(deadline.Token).ConfigureAwait(false);
        }

        _ = Task.Run(OverTcp ? ReceiveFramesAsync : ReceiveLoopAsync, CancellationToken.None);
        _ = Task.Run(ChecksLoopAsync, CancellationToken.None);
        await _iceUp.Task.WaitAsync(deadline.Token).ConfigureAwait(false);

        var dtls = new DtlsSrtpSession(DtlsRole.Client, _certificate, fingerprint, timeout, datagram => SendRaw(datagram.Span), DtlsHandshakeWorkers.Clients);
        dtls.Established += (inbound, outbound) =>
        {
            _srtpIn = inbound;
            lock (_sendLock)
            {
                _srtpOut = outbound;
            }

            _established.TrySetResult();
        };
        dtls.Ended += end =>
        {
            _established.TrySetException(new IOException($"The DTLS handshake failed: {dtls.Detail}"));
            _closed.TrySetResult();
        };
        Volatile.Write(ref _dtls, dtls);
        dtls.Start();
        await _established.Task.WaitAsync(deadline.Token).ConfigureAwait(false);
    }

    /// <summary>Sender only: wraps one Opus packet in RTP (its duration advances the timestamp) and sends it over SRTP.</summary>
    public bool SendOpus(ReadOnlySpan<byte> opusPayload, int samples = 960)
    {
        lock (_sendLock)
        {
            var srtp = _srtpOut;
            if (srtp is null || IsClosed)
            {
                return false;
            }

            var header = new RtpHeader(OpusPayloadType, _sequence, _timestamp, Ssrc, Marker: _packetsSent == 0);
            LastSequenceSent = _sequence;
            int length = RtpPacket.Write(_sendBuffer, header, opusPayload);
            length = srtp.ProtectRtp(_sendBuffer, length);
            _sequence++;
            _timestamp += (uint)samples;
            if (length < 0 || !SendRaw(_sendBuffer.AsSpan(0, length)))
            {
                return false;
            }

            Interlocked.Increment(ref _packetsSent);
            return true;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _dtls?.Close(); // close_notify: the server ends the stream or drops the listener at once
        _stop.Cancel();
        _stream?.Dispose();
        _tcp?.Dispose();
        _udp?.Dispose();
        lock (_sendLock)
        {
            _srtpOut?.Dispose();
            _srtpOut = null;
        }

        _closed.TrySetResult();
    }

    /// <summary>The answer's UDP (or passive TCP) host candidates of our address family, best (highest priority) first.</summary>
    private IPEndPoint[] ReachableCandidates(MediaDescription media) =>
    [
        .. media.Candidates
            .Where(c => c.Port > 0 && c.IPAddress?.AddressFamily == _bindAddress.AddressFamily
                && (OverTcp ? c.Transport == IceCandidate.TransportTcp && c.TcpType == "passive" : c.Transport == IceCandidate.TransportUdp))
            .OrderByDescending(c => c.Priority)
            .Select(c => new IPEndPoint(c.IPAddress!, c.Port)),
    ];

    private string BuildOffer()
    {
        var offer = new SessionDescription
        {
            SessionId = RandomNumberGenerator.GetInt32(int.MaxValue).ToString(CultureInfo.InvariantCulture),
            BundleMids = ["0"],
        };
        var audio = new MediaDescription
        {
            Kind = "audio",
            Port = 9,
            Protocol = "UDP/TLS/RTP/SAVPF",
            Formats = [OpusPayloadType.ToString(CultureInfo.InvariantCulture)],
            ConnectionAddress = "0.0.0.0",
            IceUfrag = _ufrag,
            IcePwd = _pwd,
            Fingerprint = _certificate.Fingerprint,
            Setup = "actpass",
            Mid = "0",
            Direction = Sends ? MediaDirection.SendOnly : MediaDirection.RecvOnly,
            RtcpMux = true,
        };
        audio.RtpMaps[OpusPayloadType] = new SdpRtpMap(OpusPayloadType, "opus", 48000, 2);
        audio.Fmtps[OpusPayloadType] = "minptime=10;useinbandfec=1";
        if (Sends)
        {
            audio.Attributes.Add($"ssrc:{Ssrc.ToString(CultureInfo.InvariantCulture)} cname:audiostream-client");
        }

        offer.Media.Add(audio);
        return offer.ToString();
    }

    private bool SendRaw(ReadOnlySpan<byte> datagram) => Volatile.Read(ref _server) is { } server && SendTo(datagram, server);

    private bool SendTo(ReadOnlySpan<byte> datagram, IPEndPoint target)
    {
        try
        {
            if (_stream is { } stream)
            {
                // One write per frame, so the header and its packet leave together.
                lock (_streamWriteLock)
                {
                    Rfc4571Framing.WriteHeader(_frameBuffer, datagram.Length);
                    datagram.CopyTo(_frameBuffer.AsSpan(Rfc4571Framing.HeaderLength));
                    stream.Write(_frameBuffer, 0, Rfc4571Framing.HeaderLength + datagram.Length);
                }

                return true;
            }

            _udp?.SendTo(datagram, SocketFlags.None, target);
            return _udp is not null;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException)
        {
            return false;
        }
    }

    /// <summary>RFC 6544: connects to the best passive candidate that accepts; that connection is the only path.</summary>
    private async Task ConnectTcpAsync(CancellationToken cancellationToken)
    {
        SocketException? failure = null;
        foreach (var candidate in _candidates)
        {
            // A socket whose connect failed cannot connect again: one per attempt.
            var socket = new Socket(_bindAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(_bindAddress, 0));
                await socket.ConnectAsync(candidate, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                failure = ex;
                continue;
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            _tcp = socket;
            _stream = new NetworkStream(socket, ownsSocket: false);
            Volatile.Write(ref _server, candidate);
            return;
        }

        throw failure ?? new SocketException((int)SocketError.ConnectionRefused);
    }

    private async Task ReceiveFramesAsync()
    {
        var buffer = new byte[Rfc4571Framing.MaxFrameLength];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                int length = await Rfc4571Framing.ReadFrameAsync(_stream!, buffer, _stop.Token).ConfigureAwait(false);
                if (length == 0)
                {
                    break;
                }

                try
                {
                    Demultiplex(buffer.AsSpan(0, length), _server!, TimeProvider.System.GetTimestamp());
                }
#pragma warning disable CA1031 // A packet that breaks a parser is dropped, never the loop.
                catch (Exception)
#pragma warning restore CA1031
                {
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or IOException or InvalidDataException)
        {
        }

        _closed.TrySetResult(); // the server closed the connection
    }

    private void SendCheck(IPEndPoint target)
    {
        Span<byte> buffer = stackalloc byte[256];
        Span<byte> transaction = stackalloc byte[12];
        RandomNumberGenerator.Fill(transaction);
        var writer = new StunMessageWriter(buffer, StunMessageType.BindingRequest, transaction);
        writer.AddString(StunAttributeType.Username, _stunUsername!);
        writer.AddUInt32(StunAttributeType.Priority, 2130706431);
        writer.AddUInt64(StunAttributeType.IceControlling, _tieBreaker);
        writer.AddAttribute(StunAttributeType.UseCandidate, []);
        writer.AddMessageIntegrity(_serverKey);
        writer.AddFingerprint();
        SendTo(writer.Written, target);
    }

    private async Task ChecksLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                if (ServerEndPoint is { } server)
                {
                    SendCheck(server); // consent (RFC 7675)
                }
                else
                {
                    foreach (var candidate in _candidates)
                    {
                        SendCheck(candidate);
                    }
                }

                await Task.Delay(_iceUp.Task.IsCompleted ? ConsentInterval : CheckRetryInterval, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[2048];
        var socket = _udp!;
        EndPoint any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token).ConfigureAwait(false);
                long arrival = TimeProvider.System.GetTimestamp();
                var from = (IPEndPoint)result.RemoteEndPoint;
                if (ServerEndPoint is { } server ? !server.Equals(from) : Array.IndexOf(_candidates, from) < 0)
                {
                    continue;
                }

                try
                {
                    Demultiplex(buffer.AsSpan(0, result.ReceivedBytes), from, arrival);
                }
#pragma warning disable CA1031 // A packet that breaks a parser is dropped, never the loop.
                catch (Exception)
#pragma warning restore CA1031
                {
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private void Demultiplex(Span<byte> datagram, IPEndPoint from, long arrival)
    {
        switch (PacketClassifier.Classify(datagram))
        {
            case PacketKind.Stun:
                // The first candidate to answer a check is the path (the browser would rank pairs; any works here).
                if (StunMessage.TryParse(datagram, out var stun) && stun.Type == StunMessageType.BindingSuccessResponse
                    && stun.VerifyMessageIntegrity(_serverKey)
                    && (Interlocked.CompareExchange(ref _server, from, null) is null || from.Equals(ServerEndPoint)))
                {
                    _iceUp.TrySetResult();
                }

                break;
            case PacketKind.Dtls:
                Volatile.Read(ref _dtls)?.Enqueue(datagram);
                break;
            case PacketKind.Rtcp when _srtpIn is { } srtp:
                OnRtcp(srtp, datagram);
                break;
            case PacketKind.Rtp when _srtpIn is { } srtp:
                OnRtp(srtp, datagram, arrival);
                break;
            default:
                break;
        }
    }

    private void OnRtcp(SrtpContext srtp, Span<byte> datagram)
    {
        var result = srtp.UnprotectRtcp(datagram, out int length);
        if (result == SrtpResult.AuthenticationFailed)
        {
            Interlocked.Increment(ref _authFailures);
        }

        if (result != SrtpResult.Ok || !RtcpCompound.TryParse(datagram[..length], out var compound, out _))
        {
            return;
        }

        Interlocked.Increment(ref _rtcpReceived);
        foreach (var (_, info) in compound.SenderReports)
        {
            LastSenderReport = info;
        }

        foreach (var (_, block) in compound.ReportBlocks)
        {
            if (block.Ssrc == Ssrc)
            {
                LastReceiverReport = block;
            }
        }
    }

    private void OnRtp(SrtpContext srtp, Span<byte> datagram, long arrival)
    {
        var result = srtp.UnprotectRtp(datagram, out int length);
        if (result == SrtpResult.AuthenticationFailed)
        {
            Interlocked.Increment(ref _authFailures);
        }

        if (result != SrtpResult.Ok || !RtpPacket.TryParse(datagram[..length], out var packet))
        {
            return;
        }

        Interlocked.Increment(ref _packetsReceived);
        RtpReceived?.Invoke(packet.SequenceNumber, packet.Timestamp, packet.Payload, arrival);
    }
}
