using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using AudioStream.MediaService.WebRtc.Dtls;
using AudioStream.MediaService.WebRtc.Ice;
using AudioStream.MediaService.WebRtc.Rtcp;
using AudioStream.MediaService.WebRtc.Rtp;
using AudioStream.MediaService.WebRtc.Sdp;
using AudioStream.MediaService.WebRtc.Srtp;
using AudioStream.MediaService.WebRtc.Stun;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace AudioStream.MediaService.WebRtc.Client;

/// <summary>One authenticated, decrypted RTP packet as a <see cref="WebRtcClient"/> receiver got it.</summary>
public delegate void RtpReceivedHandler(ushort sequence, uint timestamp, ReadOnlySpan<byte> payload, long arrivalTimestamp);

/// <summary>
/// A WHIP/WHEP client in C#, playing the browser's part against an ICE-lite server: it writes the SDP offer, sends
/// ICE checks (controlling, USE-CANDIDATE, then consent every 2 s), runs the DTLS client handshake and exchanges
/// Opus over SRTP. Cheap enough to run hundreds in one process, which is what load benchmarks and tests need;
/// it never decodes audio itself (the caller does, if it wants to).
/// </summary>
public sealed class WebRtcClient : IDisposable
{
    public const int OpusPayloadType = 111;

    private static readonly TimeSpan ConsentInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan CheckRetryInterval = TimeSpan.FromMilliseconds(50);

    private readonly Socket _socket;
    private readonly DtlsCertificate _certificate;
    private readonly string _ufrag;
    private readonly string _pwd;
    private readonly ulong _tieBreaker = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _iceUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _sendLock = new();
    private readonly byte[] _sendBuffer = new byte[RtpPacket.FixedHeaderLength + 1500 + SrtpContext.AuthTagLength];
    private QueueDatagramTransport? _dtlsTransport;
    private DtlsTransport? _dtls;
    private SrtpContext? _srtpOut;
    private SrtpContext? _srtpIn;
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
    public WebRtcClient(bool sends, DtlsCertificate? certificate = null, IPAddress? bindAddress = null)
    {
        Sends = sends;
        _certificate = certificate ?? DtlsCertificate.Shared;
        (_ufrag, _pwd) = IceLiteResponder.CreateCredentials();
        bindAddress ??= IPAddress.Loopback;
        _socket = new Socket(bindAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(bindAddress, 0));
        Ssrc = (uint)RandomNumberGenerator.GetInt32(int.MaxValue) | 1u;
        Offer = BuildOffer();
    }

    public bool Sends { get; }

    public uint Ssrc { get; }

    /// <summary>The SDP offer to POST to a WHIP or WHEP endpoint.</summary>
    public string Offer { get; }

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
        var answer = SdpOffer.Parse(answerSdp);
        var media = answer.Media.FirstOrDefault(m => m.Port != 0) ?? throw new SdpParseException("the answer accepts no media section");
        var ufrag = answer.UfragFor(media) ?? throw new SdpParseException("the answer has no ice-ufrag");
        var pwd = answer.PwdFor(media) ?? throw new SdpParseException("the answer has no ice-pwd");
        var fingerprint = answer.FingerprintFor(media) ?? throw new SdpParseException("the answer has no fingerprint");
        _server = ServerEndPoint(media) ?? throw new SdpParseException("the answer has no usable host candidate");
        _serverKey = StunMessage.ShortTermKey(pwd);
        _stunUsername = $"{ufrag}:{_ufrag}";

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        deadline.CancelAfter(timeout);
        _ = Task.Run(ReceiveLoopAsync, CancellationToken.None);
        _ = Task.Run(ChecksLoopAsync, CancellationToken.None);
        await _iceUp.Task.WaitAsync(deadline.Token).ConfigureAwait(false);

        _dtlsTransport = new QueueDatagramTransport(datagram => SendRaw(datagram.Span));
        var handshake = Task.Factory.StartNew(
            () => Handshake(fingerprint, (int)timeout.TotalMilliseconds), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await handshake.WaitAsync(deadline.Token).ConfigureAwait(false);
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

        try
        {
            _dtls?.Close(); // close_notify: the server ends the stream or drops the listener at once
        }
        catch (Exception ex) when (ex is IOException or TlsException or InvalidOperationException or ObjectDisposedException)
        {
        }

        _stop.Cancel();
        _dtlsTransport?.Close();
        _socket.Dispose();
        lock (_sendLock)
        {
            _srtpOut?.Dispose();
            _srtpOut = null;
        }

        _closed.TrySetResult();
    }

    private static IPEndPoint? ServerEndPoint(SdpMediaDescription media)
    {
        foreach (var candidate in media.Candidates)
        {
            // foundation component transport priority address port typ host
            var fields = candidate.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 8 && fields[2].Equals("udp", StringComparison.OrdinalIgnoreCase) && fields[7] == "host"
                && IPAddress.TryParse(fields[4], out var address)
                && int.TryParse(fields[5], NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is > 0 and <= 65535)
            {
                return new IPEndPoint(address, port);
            }
        }

        return null;
    }

    private string BuildOffer()
    {
        var sb = new StringBuilder(512);
        void Line(string text) => sb.Append(text).Append("\r\n");
        Line("v=0");
        Line($"o=- {RandomNumberGenerator.GetInt32(int.MaxValue)} 2 IN IP4 127.0.0.1");
        Line("s=-");
        Line("t=0 0");
        Line("a=group:BUNDLE 0");
        Line($"m=audio 9 UDP/TLS/RTP/SAVPF {OpusPayloadType}");
        Line("c=IN IP4 0.0.0.0");
        Line($"a=ice-ufrag:{_ufrag}");
        Line($"a=ice-pwd:{_pwd}");
        Line($"a=fingerprint:{_certificate.Fingerprint}");
        Line("a=setup:actpass");
        Line("a=mid:0");
        Line(Sends ? "a=sendonly" : "a=recvonly");
        Line("a=rtcp-mux");
        Line($"a=rtpmap:{OpusPayloadType} opus/48000/2");
        Line($"a=fmtp:{OpusPayloadType} minptime=10;useinbandfec=1");
        if (Sends)
        {
            Line($"a=ssrc:{Ssrc} cname:audiostream-client");
        }

        return sb.ToString();
    }

    private bool SendRaw(ReadOnlySpan<byte> datagram)
    {
        if (_server is null)
        {
            return false;
        }

        try
        {
            _socket.SendTo(datagram, SocketFlags.None, _server);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    private void SendCheck()
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
        SendRaw(writer.Written);
    }

    private async Task ChecksLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                SendCheck();
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
        EndPoint any = new IPEndPoint(_socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token).ConfigureAwait(false);
                long arrival = TimeProvider.System.GetTimestamp();
                if (!_server!.Equals(result.RemoteEndPoint) || result.ReceivedBytes == 0)
                {
                    continue;
                }

                try
                {
                    Demultiplex(buffer.AsSpan(0, result.ReceivedBytes), arrival);
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

    // RFC 7983: the first byte tells STUN (0–3), DTLS (20–63) and SRTP/SRTCP (128–191) apart.
    private void Demultiplex(Span<byte> datagram, long arrival)
    {
        byte first = datagram[0];
        if (first <= 3)
        {
            if (StunMessage.TryParse(datagram, out var stun) && stun.Type == StunMessageType.BindingSuccessResponse
                && stun.VerifyMessageIntegrity(_serverKey))
            {
                _iceUp.TrySetResult();
            }
        }
        else if (first is >= 20 and <= 63)
        {
            _dtlsTransport?.Enqueue(datagram);
        }
        else if (first is >= 128 and <= 191 && _srtpIn is { } srtp)
        {
            if (RtcpCompound.LooksLikeRtcp(datagram))
            {
                var rtcpResult = srtp.UnprotectRtcp(datagram, out int rtcpLength);
                if (rtcpResult == SrtpResult.AuthenticationFailed)
                {
                    Interlocked.Increment(ref _authFailures);
                }

                if (rtcpResult == SrtpResult.Ok && RtcpCompound.TryParse(datagram[..rtcpLength], out var compound, out _))
                {
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

                return;
            }

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

    private void Handshake(SdpFingerprint serverFingerprint, int timeoutMillis)
    {
        var client = new DtlsSrtpClient(new BcTlsCrypto(new SecureRandom()), _certificate, serverFingerprint, timeoutMillis);
        client.ClosedByPeer += () => _closed.TrySetResult();
        var dtls = new DtlsClientProtocol().Connect(client, _dtlsTransport!);
        var material = client.KeyingMaterial ?? throw new TlsFatalAlert(AlertDescription.internal_error);
        var (ours, server) = SrtpContext.FromDtlsKeyingMaterial(material);
        material.AsSpan().Clear();
        _dtls = dtls;
        _srtpIn = server;
        lock (_sendLock)
        {
            _srtpOut = ours;
        }

        // Keep reading DTLS so a close_notify from the server is noticed.
        _ = Task.Factory.StartNew(
            () =>
            {
                var buffer = new byte[dtls.GetReceiveLimit()];
                try
                {
                    while (!_stop.IsCancellationRequested && !_closed.Task.IsCompleted)
                    {
                        dtls.Receive(buffer, 0, buffer.Length, 1000);
                    }
                }
                catch (Exception ex) when (ex is IOException or TlsException or ObjectDisposedException or InvalidOperationException)
                {
                }

                _closed.TrySetResult();
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }
}
