using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using AudioStream.MediaService.WebRtc.Dtls;
using AudioStream.MediaService.WebRtc.Ice;
using AudioStream.MediaService.WebRtc.Sdp;
using AudioStream.MediaService.WebRtc.Stun;

namespace AudioStream.MediaService.WebRtc;

/// <summary>
/// One UDP socket serving every WebRTC peer of the MediaService (ICE-lite, RFC 8445 §2.5). Datagrams are
/// demultiplexed by first byte (RFC 7983 §7): STUN is answered on the receive thread and routed by ICE ufrag;
/// DTLS and SRTP/SRTCP are routed by the remote address that passed a check and queued to their peer.
/// </summary>
public sealed class WebRtcEndpoint : IDisposable
{
    private const int ReceiveBufferLength = 65536;

    private readonly Socket _socket;
    private readonly ConcurrentDictionary<string, WebRtcPeer> _peersByUfrag = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<SocketAddress, WebRtcPeer> _peersByAddress = new();
    private readonly Thread _receiveThread;
    private readonly ITimer _timer;
    private readonly IPEndPoint _endPointFactory;
    private long _datagramsIn;
    private long _unroutable;
    private long _malformed;
    private long _stunUnauthenticated;
    private volatile bool _disposed;

    public WebRtcEndpoint(WebRtcEndpointOptions? options = null)
    {
        Options = options ?? new WebRtcEndpointOptions();
        TimeProvider = Options.TimeProvider;
        Certificate = Options.Certificate ?? DtlsCertificate.Shared;
        _socket = new Socket(Options.BindAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (Options.BindAddress.AddressFamily == AddressFamily.InterNetworkV6)
        {
            _socket.DualMode = true;
        }

        _socket.ReceiveBufferSize = 1 << 20;
        _socket.SendBufferSize = 1 << 20;
        _socket.Bind(new IPEndPoint(Options.BindAddress, Options.Port));
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _endPointFactory = new IPEndPoint(Options.BindAddress.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        _receiveThread = new Thread(ReceiveLoop) { IsBackground = true, Name = $"webrtc-udp-{LocalEndPoint.Port}" };
        _receiveThread.Start();
        _timer = TimeProvider.CreateTimer(_ => CheckPeers(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public WebRtcEndpointOptions Options { get; }

    public IPEndPoint LocalEndPoint { get; }

    public DtlsCertificate Certificate { get; }

    public TimeProvider TimeProvider { get; }

    public IReadOnlyCollection<WebRtcPeer> Peers => [.. _peersByUfrag.Values];

    /// <summary>Datagrams received on the socket.</summary>
    public long DatagramsReceived => Interlocked.Read(ref _datagramsIn);

    /// <summary>Datagrams from an address no peer has validated, or for an unknown ICE ufrag.</summary>
    public long UnroutableDropped => Interlocked.Read(ref _unroutable);

    /// <summary>Datagrams that are no protocol we speak or failed to parse at the demultiplexer.</summary>
    public long MalformedDropped => Interlocked.Read(ref _malformed);

    /// <summary>Binding requests for a known ufrag whose MESSAGE-INTEGRITY failed.</summary>
    public long StunUnauthenticated => Interlocked.Read(ref _stunUnauthenticated);

    /// <summary>Accepts a WHIP offer: the peer will send audio to us. Throws <see cref="SdpParseException"/> on a bad offer.</summary>
    public (IngestPeer Peer, string AnswerSdp) CreateIngestPeer(SdpOffer offer)
    {
        var negotiation = SdpAnswer.Negotiate(offer, MediaDirection.RecvOnly);
        var (ufrag, pwd) = NewCredentials();
        var peer = new IngestPeer(this, negotiation, ufrag, pwd);
        return (peer, Register(peer, offer, negotiation, MediaDirection.RecvOnly));
    }

    public (IngestPeer Peer, string AnswerSdp) CreateIngestPeer(string offerSdp) => CreateIngestPeer(SdpOffer.Parse(offerSdp));

    /// <summary>Accepts a WHEP offer: we send audio to the peer. Throws <see cref="SdpParseException"/> on a bad offer.</summary>
    public (EgressPeer Peer, string AnswerSdp) CreateEgressPeer(SdpOffer offer)
    {
        var negotiation = SdpAnswer.Negotiate(offer, MediaDirection.SendOnly);
        var (ufrag, pwd) = NewCredentials();
        var peer = new EgressPeer(this, negotiation, ufrag, pwd);
        return (peer, Register(peer, offer, negotiation, MediaDirection.SendOnly));
    }

    public (EgressPeer Peer, string AnswerSdp) CreateEgressPeer(string offerSdp) => CreateEgressPeer(SdpOffer.Parse(offerSdp));

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _timer.Dispose();
        foreach (var peer in _peersByUfrag.Values)
        {
            peer.Close(PeerCloseReason.EndpointDisposed);
        }

        _socket.Dispose();
        _receiveThread.Join(TimeSpan.FromSeconds(2));
    }

    internal bool SendTo(ReadOnlySpan<byte> datagram, SocketAddress remote)
    {
        if (_disposed)
        {
            return false;
        }

        try
        {
            _socket.SendTo(datagram, SocketFlags.None, remote);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    internal void Remove(WebRtcPeer peer)
    {
        _peersByUfrag.TryRemove(new KeyValuePair<string, WebRtcPeer>(peer.Id, peer));
        foreach (var entry in _peersByAddress)
        {
            if (ReferenceEquals(entry.Value, peer))
            {
                _peersByAddress.TryRemove(entry);
            }
        }
    }

    private (string Ufrag, string Pwd) NewCredentials()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (true)
        {
            var credentials = IceLiteResponder.CreateCredentials();
            if (!_peersByUfrag.ContainsKey(credentials.Ufrag))
            {
                return credentials;
            }
        }
    }

    private string Register(WebRtcPeer peer, SdpOffer offer, SdpNegotiation negotiation, MediaDirection direction)
    {
        _peersByUfrag[peer.Id] = peer;
        var options = new SdpAnswerOptions(
            direction,
            peer.Ice.LocalUfrag,
            peer.Ice.LocalPwd,
            Certificate.Fingerprint,
            Options.AdvertisedAddress,
            Options.AdvertisedPort ?? LocalEndPoint.Port,
            (ulong)RandomNumberGenerator.GetInt32(int.MaxValue));
        return SdpAnswer.Build(offer, negotiation, options);
    }

    private void ReceiveLoop()
    {
        var buffer = new byte[ReceiveBufferLength];
        var address = new SocketAddress(_socket.AddressFamily);
        var response = new byte[512];
        while (!_disposed)
        {
            int received;
            try
            {
                received = _socket.ReceiveFrom(buffer, SocketFlags.None, address);
            }
            catch (SocketException)
            {
                // ICMP port unreachable and the like surface here on some platforms: keep serving.
                continue;
            }
            catch (ObjectDisposedException)
            {
                break;
            }

            Interlocked.Increment(ref _datagramsIn);
            try
            {
                Dispatch(buffer.AsSpan(0, received), address, response);
            }
#pragma warning disable CA1031 // Nothing a datagram does may stop the receive loop.
            catch (Exception)
#pragma warning restore CA1031
            {
                CountMalformed();
            }
        }
    }

    private void Dispatch(ReadOnlySpan<byte> datagram, SocketAddress address, byte[] response)
    {
        if (datagram.IsEmpty)
        {
            CountMalformed();
            return;
        }

        byte first = datagram[0];
        if (first < 4)
        {
            HandleStun(datagram, address, response);
            return;
        }

        bool dtls = first is >= 20 and <= 63;
        bool media = first is >= 128 and <= 191;
        if (!dtls && !media)
        {
            CountMalformed();
            return;
        }

        if (!_peersByAddress.TryGetValue(address, out var peer))
        {
            Interlocked.Increment(ref _unroutable);
            WebRtcMetrics.DroppedMalformed.Add(1);
            return;
        }

        if (dtls)
        {
            peer.EnqueueDtls(datagram);
        }
        else
        {
            peer.EnqueueMedia(datagram);
        }
    }

    private void HandleStun(ReadOnlySpan<byte> datagram, SocketAddress address, byte[] response)
    {
        if (!StunMessage.TryParse(datagram, out var message))
        {
            CountMalformed();
            return;
        }

        if (message.Type != StunMessageType.BindingRequest)
        {
            // Indications and responses need no answer from a lite agent.
            return;
        }

        var ufrag = IceLiteResponder.LocalUfragOf(message);
        if (ufrag is null || !_peersByUfrag.TryGetValue(ufrag, out var peer))
        {
            Interlocked.Increment(ref _unroutable);
            WebRtcMetrics.DroppedMalformed.Add(1);
            return;
        }

        var remote = (IPEndPoint)_endPointFactory.Create(address);
        var outcome = peer.Ice.HandleRequest(message, remote, response, TimeProvider.GetTimestamp(), out int length);
        if (outcome == IceCheckOutcome.Unauthenticated)
        {
            Interlocked.Increment(ref _stunUnauthenticated);
            return;
        }

        if (outcome != IceCheckOutcome.Answered)
        {
            return;
        }

        if (!_peersByAddress.ContainsKey(address))
        {
            var key = new SocketAddress(address.Family, address.Size);
            address.Buffer.Span[..address.Size].CopyTo(key.Buffer.Span);
            _peersByAddress[key] = peer;
        }

        peer.OnValidCheck();
        SendTo(response.AsSpan(0, length), address);
    }

    private void CheckPeers()
    {
        long now = TimeProvider.GetTimestamp();
        foreach (var peer in _peersByUfrag.Values)
        {
            if (peer.Ice.HasConsentLapsed(now, Options.ConsentTimeout, TimeProvider))
            {
                peer.Close(PeerCloseReason.ConsentLapsed);
            }
            else if (peer.State != PeerState.Connected && TimeProvider.GetElapsedTime(peer.CreatedTimestamp, now) > Options.ConnectTimeout)
            {
                peer.Close(PeerCloseReason.ConnectTimeout);
            }
            else if (peer.State == PeerState.Connected)
            {
                try
                {
                    peer.OnReportTimer(now);
                }
#pragma warning disable CA1031 // A report that fails to build is skipped, never the timer.
                catch (Exception)
#pragma warning restore CA1031
                {
                }
            }
        }
    }

    private void CountMalformed()
    {
        Interlocked.Increment(ref _malformed);
        WebRtcMetrics.DroppedMalformed.Add(1);
    }
}
