using System.Net;
using System.Net.Sockets;

namespace AudioStream.MediaService.WebRtc.Transport;

/// <summary>A UDP path: our socket the peer's checks arrived on (so replies leave from that address) and its address.</summary>
internal sealed class UdpPeerTransport : PeerTransport
{
    private readonly LocalUdpSocket _socket;
    private readonly SocketAddress _remote;

    public UdpPeerTransport(LocalUdpSocket socket, SocketAddress remote)
    {
        _socket = socket;
        _remote = LocalUdpSocket.Copy(remote);
        RemoteEndPoint = socket.ToEndPoint(remote);
    }

    public override string Protocol => "udp";

    public override IPEndPoint LocalEndPoint => _socket.LocalEndPoint;

    public override IPEndPoint RemoteEndPoint { get; }

    public override bool Send(ReadOnlySpan<byte> packet) => _socket.SendTo(packet, _remote);

    public bool IsPath(LocalUdpSocket socket, SocketAddress remote) => ReferenceEquals(socket, _socket) && remote.Equals(_remote);
}
