using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using AudioStream.MediaService.WebRtc.Dtls;
using AudioStream.MediaService.WebRtc.Ice;
using AudioStream.MediaService.WebRtc.Mux;
using AudioStream.MediaService.WebRtc.Sdp;
using AudioStream.MediaService.WebRtc.Stun;
using AudioStream.MediaService.WebRtc.Transport;

namespace AudioStream.MediaService.WebRtc;

/// <summary>
/// Every WebRTC peer of the MediaService on one UDP port (ICE-lite, RFC 8445 §2.5). Datagrams are demultiplexed by
/// <see cref="PacketClassifier"/>: STUN is answered on the receive thread and routed by ICE ufrag; DTLS and SRTP/SRTCP
/// are routed by the remote address that passed a check and queued to their peer. The port is bound on all interfaces;
/// with <c>auto</c> addresses each advertised local address also gets its own socket on that port, so answers leave
/// from the address the browser checked. With a TCP port, browsers that cannot use UDP reach the same peers over
/// ICE-TCP (RFC 6544): a connection's first frame is a check, whose USERNAME picks the peer it then serves.
/// </summary>
public sealed class WebRtcEndpoint : IDisposable
{
    /// <summary>RFC 8839 §5.4: an ice-ufrag is at most 256 characters.</summary>
    private const int MaxUfragLength = 256;

    private readonly LocalUdpSocket _primary;
    private readonly IceTcpListener? _tcp;
    private readonly ConcurrentDictionary<IPAddress, LocalUdpSocket> _addressSockets = new();
    private readonly Lock _addressSocketsLock = new();
    private readonly ConcurrentDictionary<string, WebRtcPeer> _peersByUfrag = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, WebRtcPeer>.AlternateLookup<ReadOnlySpan<char>> _peersByUfragSpan;
    private readonly ConcurrentDictionary<SocketAddress, WebRtcPeer> _peersByAddress = new();
    private readonly HostAddressSelector _addressSelector;
    private readonly bool _bindsEveryAddress;
    private readonly ITimer _timer;
    private long _datagramsIn;
    private long _unroutable;
    private long _malformed;
    private long _stunUnauthenticated;
    private long _oversized;
    private volatile bool _disposed;

    public WebRtcEndpoint(WebRtcEndpointOptions? options = null)
    {
        _peersByUfragSpan = _peersByUfrag.GetAlternateLookup<ReadOnlySpan<char>>();
        Options = options ?? new WebRtcEndpointOptions();
        if (Options.PublicAddress is { Length: > 0 } publicAddress && !IPAddress.TryParse(publicAddress, out _))
        {
            throw new ArgumentException($"The public address '{publicAddress}' is not an IP address.", nameof(options));
        }

        TimeProvider = Options.TimeProvider;
        Certificate = Options.Certificate ?? DtlsCertificate.Shared;
        HandshakeWorkers = new DtlsHandshakeWorkers(Options.DtlsHandshakeThreads, "webrtc-dtls");
        _addressSelector = new HostAddressSelector(Options.ExcludedInterfaces, Options.AdvertiseIPv6);
        _bindsEveryAddress = Options.AdvertisesEveryAddress
            && (Options.BindAddress.Equals(IPAddress.Any) || Options.BindAddress.Equals(IPAddress.IPv6Any));
        _primary = new LocalUdpSocket(new IPEndPoint(Options.BindAddress, Options.Port), shared: _bindsEveryAddress, Dispatch, CountOversized);
        LocalEndPoint = _primary.LocalEndPoint;
        if (Options.TcpPort is { } tcpPort)
        {
            try
            {
                _tcp = new IceTcpListener(new IPEndPoint(Options.BindAddress, tcpPort), HandleTcpFrame);
            }
            catch
            {
                _primary.Dispose();
                throw;
            }
        }

        _timer = TimeProvider.CreateTimer(_ => CheckPeers(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public WebRtcEndpointOptions Options { get; }

    /// <summary>The socket on <see cref="WebRtcEndpointOptions.BindAddress"/>: its port is the endpoint's port.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The ICE-TCP listener's address; null without <see cref="WebRtcEndpointOptions.TcpPort"/>.</summary>
    public IPEndPoint? TcpLocalEndPoint => _tcp?.LocalEndPoint;

    /// <summary>Every bound UDP socket: the bind address and, with <c>auto</c>, each advertised local address.</summary>
    public IReadOnlyList<IPEndPoint> LocalEndPoints => [LocalEndPoint, .. _addressSockets.Values.Select(s => s.LocalEndPoint)];

    public DtlsCertificate Certificate { get; }

    /// <summary>The threads this endpoint's DTLS handshakes run on (at most <see cref="WebRtcEndpointOptions.DtlsHandshakeThreads"/>).</summary>
    public DtlsHandshakeWorkers HandshakeWorkers { get; }

    public TimeProvider TimeProvider { get; }

    public IReadOnlyCollection<WebRtcPeer> Peers => [.. _peersByUfrag.Values];

    /// <summary>Datagrams received on the sockets.</summary>
    public long DatagramsReceived => Interlocked.Read(ref _datagramsIn);

    /// <summary>Datagrams from an address no peer has validated, or for an unknown ICE ufrag.</summary>
    public long UnroutableDropped => Interlocked.Read(ref _unroutable);

    /// <summary>Datagrams that are no protocol we speak or failed to parse at the demultiplexer.</summary>
    public long MalformedDropped => Interlocked.Read(ref _malformed);

    /// <summary>Datagrams over <see cref="LocalUdpSocket.MaxDatagramLength"/> (1500 bytes), dropped at the socket.</summary>
    public long OversizedDropped => Interlocked.Read(ref _oversized);

    /// <summary>Binding requests for a known ufrag whose MESSAGE-INTEGRITY failed.</summary>
    public long StunUnauthenticated => Interlocked.Read(ref _stunUnauthenticated);

    /// <summary>
    /// The host candidates an answer to <paramref name="clientAddress"/> carries, best first. With <c>auto</c> the
    /// machine's interfaces are read now (they come and go); loopback is offered only when the client is on this
    /// machine. <paramref name="clientAddress"/> is where the offer came from: the HTTP client's address, which behind
    /// a proxy is the real client's only once forwarded headers are honoured. Null: unknown (no loopback).
    /// </summary>
    public IReadOnlyList<IceCandidate> GetHostCandidates(IPAddress? clientAddress = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int port = LocalEndPoint.Port;
        int advertisedPort = Options.AdvertisedPort ?? port;
        var candidates = new List<IceCandidate>();
        if (!Options.AdvertisesEveryAddress)
        {
            candidates.Add(IceCandidate.Host(0, Options.AdvertisedAddress, advertisedPort));
        }
        else if (!_bindsEveryAddress)
        {
            candidates.Add(IceCandidate.Host(0, Options.BindAddress, port));
        }
        else
        {
            foreach (var address in BindAddresses(clientAddress))
            {
                candidates.Add(IceCandidate.Host(candidates.Count, address, port));
            }
        }

        if (Options.PublicAddress is { Length: > 0 } publicAddress && !candidates.Exists(c => c.Address == publicAddress))
        {
            candidates.Add(IceCandidate.Host(candidates.Count, publicAddress, advertisedPort));
        }

        if (_tcp is not null)
        {
            // RFC 6544 §4.5: passive candidates on the same addresses, with the listening port; they rank below UDP.
            int udpCount = candidates.Count;
            for (int i = 0; i < udpCount; i++)
            {
                if (candidates[i].IPAddress is not { } address || _tcp.Hears(address))
                {
                    candidates.Add(IceCandidate.Host(i, candidates[i].Address, _tcp.LocalEndPoint.Port, IceCandidate.TransportTcp, "passive"));
                }
            }
        }

        return candidates;
    }

    /// <summary>Accepts a WHIP offer: the peer will send audio to us. Throws <see cref="SdpParseException"/> on a bad offer.</summary>
    /// <param name="clientAddress">Where the offer came from (see <see cref="GetHostCandidates"/>).</param>
    public (IngestPeer Peer, string AnswerSdp) CreateIngestPeer(SessionDescription offer, IPAddress? clientAddress = null)
    {
        var negotiation = SdpAnswer.Negotiate(offer, MediaDirection.RecvOnly);
        var candidates = GetHostCandidates(clientAddress);
        var (ufrag, pwd) = NewCredentials();
        var peer = new IngestPeer(this, negotiation, ufrag, pwd);
        return (peer, Register(peer, offer, negotiation, MediaDirection.RecvOnly, candidates));
    }

    public (IngestPeer Peer, string AnswerSdp) CreateIngestPeer(string offerSdp, IPAddress? clientAddress = null) =>
        CreateIngestPeer(SessionDescription.Parse(offerSdp), clientAddress);

    /// <summary>Accepts a WHEP offer: we send audio to the peer. Throws <see cref="SdpParseException"/> on a bad offer.</summary>
    /// <param name="clientAddress">Where the offer came from (see <see cref="GetHostCandidates"/>).</param>
    public (EgressPeer Peer, string AnswerSdp) CreateEgressPeer(SessionDescription offer, IPAddress? clientAddress = null)
    {
        var negotiation = SdpAnswer.Negotiate(offer, MediaDirection.SendOnly);
        var candidates = GetHostCandidates(clientAddress);
        var (ufrag, pwd) = NewCredentials();
        var peer = new EgressPeer(this, negotiation, ufrag, pwd);
        return (peer, Register(peer, offer, negotiation, MediaDirection.SendOnly, candidates));
    }

    public (EgressPeer Peer, string AnswerSdp) CreateEgressPeer(string offerSdp, IPAddress? clientAddress = null) =>
        CreateEgressPeer(SessionDescription.Parse(offerSdp), clientAddress);

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

        lock (_addressSocketsLock)
        {
            foreach (var socket in _addressSockets.Values)
            {
                socket.Dispose();
            }

            _addressSockets.Clear();
        }

        _tcp?.Dispose();
        _primary.Dispose();
        HandshakeWorkers.Dispose();
    }

    internal void Remove(WebRtcPeer peer)
    {
        _peersByUfrag.TryRemove(new KeyValuePair<string, WebRtcPeer>(peer.Id, peer));
        _tcp?.CloseConnectionsOf(peer);
        foreach (var entry in _peersByAddress)
        {
            if (ReferenceEquals(entry.Value, peer))
            {
                _peersByAddress.TryRemove(entry);
            }
        }
    }

    /// <summary>
    /// The machine's usable addresses for this client, each with a socket of its own on our port (bound the first time
    /// it is offered, closed once the address is gone). An address whose socket cannot be bound is still offered when
    /// the wildcard socket hears its family; otherwise it is left out.
    /// </summary>
    private List<IPAddress> BindAddresses(IPAddress? clientAddress)
    {
        var interfaces = Options.NetworkInterfaces();
        bool clientOnThisMachine = clientAddress is not null
            && IPAddress.IsLoopback(clientAddress.IsIPv4MappedToIPv6 ? clientAddress.MapToIPv4() : clientAddress);
        var selected = _addressSelector.Select(interfaces, clientOnThisMachine);
        if (selected.Count == 0)
        {
            // No network at all: loopback is better than an answer without a candidate.
            selected = _addressSelector.Select(interfaces, includeLoopback: true);
        }

        var reachable = new List<IPAddress>(selected.Count);
        lock (_addressSocketsLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var present = interfaces.SelectMany(i => i.Addresses).Select(WithoutScope).ToHashSet();
            foreach (var (address, socket) in _addressSockets)
            {
                if (!present.Contains(address) && _addressSockets.TryRemove(address, out _))
                {
                    socket.Dispose();
                }
            }

            foreach (var address in selected)
            {
                if (!_addressSockets.ContainsKey(address))
                {
                    try
                    {
                        _addressSockets[address] = new LocalUdpSocket(new IPEndPoint(address, LocalEndPoint.Port), shared: true, Dispatch, CountOversized);
                    }
                    catch (SocketException)
                    {
                        // Someone else holds the port on that address, or it went away: the wildcard may still hear it.
                    }
                }

                if (_addressSockets.ContainsKey(address) || PrimaryHears(address))
                {
                    reachable.Add(address);
                }
            }
        }

        return reachable;
    }

    private bool PrimaryHears(IPAddress address) =>
        address.AddressFamily == _primary.AddressFamily || _primary.LocalEndPoint.Address.Equals(IPAddress.IPv6Any);

    private static IPAddress WithoutScope(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0 ? new IPAddress(address.GetAddressBytes()) : address;

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

    private string Register(WebRtcPeer peer, SessionDescription offer, SdpNegotiation negotiation, MediaDirection direction, IReadOnlyList<IceCandidate> candidates)
    {
        _peersByUfrag[peer.Id] = peer;
        var options = new SdpAnswerOptions(
            direction,
            peer.Ice.LocalUfrag,
            peer.Ice.LocalPwd,
            Certificate.Fingerprint,
            candidates,
            (ulong)RandomNumberGenerator.GetInt32(int.MaxValue));
        return SdpAnswer.Create(offer, negotiation, options).ToString();
    }

    /// <summary>Every datagram of every socket, on that socket's receive thread.</summary>
    private void Dispatch(LocalUdpSocket socket, ReadOnlySpan<byte> datagram, SocketAddress remote, byte[] response)
    {
        Interlocked.Increment(ref _datagramsIn);
        try
        {
            var kind = PacketClassifier.Classify(datagram);
            if (kind == PacketKind.Stun)
            {
                HandleStun(socket, datagram, remote, response);
                return;
            }

            if (kind == PacketKind.Unknown)
            {
                CountMalformed();
                return;
            }

            if (!_peersByAddress.TryGetValue(remote, out var peer))
            {
                Interlocked.Increment(ref _unroutable);
                WebRtcMetrics.DroppedMalformed.Add(1);
                return;
            }

            if (kind == PacketKind.Dtls)
            {
                peer.EnqueueDtls(datagram);
            }
            else
            {
                peer.EnqueueMedia(datagram, kind);
            }
        }
#pragma warning disable CA1031 // Nothing a datagram does may stop the receive loop.
        catch (Exception)
#pragma warning restore CA1031
        {
            CountMalformed();
        }
    }

    private void HandleStun(LocalUdpSocket socket, ReadOnlySpan<byte> datagram, SocketAddress remote, byte[] response)
    {
        if (AnswerCheck(datagram, socket.ToEndPoint(remote), response, out int length, out bool nominated) is not { } peer)
        {
            return;
        }

        // The address now belongs to the peer whose credentials it just proved (RFC 8445 §7.3: a check with valid
        // MESSAGE-INTEGRITY is the only thing that moves it): a port another peer had used is re-pointed.
        if (!_peersByAddress.TryGetValue(remote, out var current) || !ReferenceEquals(current, peer))
        {
            _peersByAddress[LocalUdpSocket.Copy(remote)] = peer;
        }

        peer.OnValidCheck(socket, remote, nominated);
        socket.SendTo(response.AsSpan(0, length), remote);
    }

    /// <summary>
    /// One RFC 4571 frame of an ICE-TCP connection, on its read loop; false closes the connection. The first frame must
    /// be a valid check: it binds the connection to that check's peer, and the connection then carries only that peer.
    /// </summary>
    private bool HandleTcpFrame(TcpPeerTransport connection, Span<byte> frame, byte[] response)
    {
        Interlocked.Increment(ref _datagramsIn);
        try
        {
            var kind = PacketClassifier.Classify(frame);
            var peer = connection.Peer;
            if (kind == PacketKind.Stun)
            {
                var checkedPeer = AnswerCheck(frame, connection.RemoteEndPoint, response, out int length, out bool nominated);
                if (checkedPeer is null || (peer is not null && !ReferenceEquals(peer, checkedPeer)))
                {
                    return peer is not null && checkedPeer is null;
                }

                connection.Peer = checkedPeer;
                checkedPeer.OnValidCheck(connection, nominated);
                connection.Send(response.AsSpan(0, length));
                return checkedPeer.State != PeerState.Closed;
            }

            if (peer is null)
            {
                Interlocked.Increment(ref _unroutable);
                WebRtcMetrics.DroppedMalformed.Add(1);
                return false;
            }

            switch (kind)
            {
                case PacketKind.Dtls:
                    peer.EnqueueDtls(frame);
                    break;
                case PacketKind.Rtp or PacketKind.Rtcp:
                    peer.EnqueueMedia(frame, kind);
                    break;
                default:
                    CountMalformed();
                    break;
            }

            return peer.State != PeerState.Closed;
        }
#pragma warning disable CA1031 // Nothing a frame does may take the endpoint down; it ends this connection.
        catch (Exception)
#pragma warning restore CA1031
        {
            CountMalformed();
            return false;
        }
    }

    /// <summary>Answers a binding request (RFC 8445 §7.3) into <paramref name="response"/>: the peer it was for, or null (counted).</summary>
    /// <remarks>
    /// The peer is found by the USERNAME read in place; only a request for a known peer is copied and parsed whole, so
    /// a flood for unknown ufrags costs a header walk each.
    /// </remarks>
    private WebRtcPeer? AnswerCheck(ReadOnlySpan<byte> datagram, IPEndPoint remote, byte[] response, out int length, out bool nominated)
    {
        length = 0;
        nominated = false;
        if (datagram.Length >= 2 && BinaryPrimitives.ReadUInt16BigEndian(datagram) != StunMessageType.BindingRequest)
        {
            // Indications and responses need no answer from a lite agent.
            return null;
        }

        if (!StunMessage.TryFindBindingRequestUsername(datagram, out var username))
        {
            CountMalformed();
            return null;
        }

        if (FindByUsername(username) is not { } peer)
        {
            Interlocked.Increment(ref _unroutable);
            WebRtcMetrics.DroppedMalformed.Add(1);
            return null;
        }

        if (!StunMessage.TryParse(datagram, out var message))
        {
            CountMalformed();
            return null;
        }

        var outcome = peer.Ice.HandleRequest(message, remote, response, TimeProvider.GetTimestamp(), out length);
        if (outcome == IceCheckOutcome.Unauthenticated)
        {
            Interlocked.Increment(ref _stunUnauthenticated);
        }

        nominated = message.UseCandidate;
        return outcome == IceCheckOutcome.Answered ? peer : null;
    }

    /// <summary>The peer whose ufrag is the part of a check's USERNAME before the colon (RFC 8445 §7.2.2).</summary>
    private WebRtcPeer? FindByUsername(ReadOnlySpan<byte> username)
    {
        int colon = username.IndexOf((byte)':');
        if (colon <= 0 || colon > MaxUfragLength)
        {
            return null;
        }

        Span<char> ufrag = stackalloc char[colon];
        for (int i = 0; i < colon; i++)
        {
            ufrag[i] = (char)username[i]; // ICE ufrags are ice-chars (ASCII); anything else matches no peer
        }

        return _peersByUfragSpan.TryGetValue(ufrag, out var peer) ? peer : null;
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

    private void CountOversized()
    {
        Interlocked.Increment(ref _oversized);
        Interlocked.Increment(ref _datagramsIn);
        WebRtcMetrics.DroppedOversized.Add(1);
    }

    private void CountMalformed()
    {
        Interlocked.Increment(ref _malformed);
        WebRtcMetrics.DroppedMalformed.Add(1);
    }
}
