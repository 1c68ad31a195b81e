using System.Net;
using System.Net.Sockets;

namespace AudioStream.MediaService.WebRtc.Transport;

/// <summary>
/// One bound UDP socket of the endpoint and the thread that reads it. The endpoint has one on its bind address
/// (all interfaces by default) and, with <c>auto</c> addresses, one more per advertised local address on the same
/// port: Linux hands a datagram to the most specific bound socket, and a reply sent from that socket leaves from
/// the address the peer's check went to, which a socket bound to 0.0.0.0 does not promise on a multi-homed host.
/// </summary>
internal sealed class LocalUdpSocket : IDisposable
{
    /// <summary>
    /// The longest datagram handed on: an Ethernet MTU. WebRTC keeps packets under it (DTLS flights are cut at 1200
    /// bytes, Opus over SRTP is a few hundred); anything longer is dropped at the socket and counted, never copied on.
    /// </summary>
    public const int MaxDatagramLength = 1500;

    private const int ResponseBufferLength = 512;

    private readonly Socket _socket;
    private readonly Handler _handler;
    private readonly Action _oversized;
    private readonly IPEndPoint _endPointFactory;
    private readonly Thread _thread;
    private volatile bool _disposed;

    /// <param name="bindTo">Address and port to bind (port 0: an ephemeral one).</param>
    /// <param name="shared">
    /// Whether other sockets of this endpoint bind the same port on more specific addresses (SO_REUSEADDR). A socket
    /// on port 0 binds exclusively first, so the kernel never picks a port another process shares, then allows sharing.
    /// </param>
    /// <param name="handler">Called on this socket's thread for every datagram (with a scratch buffer for a reply).</param>
    /// <param name="oversized">Called for every datagram over <see cref="MaxDatagramLength"/>, which is dropped.</param>
    public LocalUdpSocket(IPEndPoint bindTo, bool shared, Handler handler, Action oversized)
    {
        _handler = handler;
        _oversized = oversized;
        _socket = new Socket(bindTo.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (bindTo.Address.Equals(IPAddress.IPv6Any))
            {
                _socket.DualMode = true; // IPv4 peers arrive as v4-mapped addresses; ToEndPoint maps them back
            }

            _socket.ReceiveBufferSize = 1 << 20;
            _socket.SendBufferSize = 1 << 20;
            if (shared && bindTo.Port != 0)
            {
                _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            }

            _socket.Bind(bindTo);
            if (shared && bindTo.Port == 0)
            {
                _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            }
        }
        catch
        {
            _socket.Dispose();
            throw;
        }

        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _endPointFactory = new IPEndPoint(bindTo.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        _thread = new Thread(ReceiveLoop) { IsBackground = true, Name = $"webrtc-udp-{LocalEndPoint}" };
        _thread.Start();
    }

    public delegate void Handler(LocalUdpSocket socket, ReadOnlySpan<byte> datagram, SocketAddress remote, byte[] response);

    public IPEndPoint LocalEndPoint { get; }

    public AddressFamily AddressFamily => LocalEndPoint.AddressFamily;

    public static SocketAddress Copy(SocketAddress address)
    {
        var copy = new SocketAddress(address.Family, address.Size);
        address.Buffer.Span[..address.Size].CopyTo(copy.Buffer.Span);
        return copy;
    }

    /// <summary>The address as an endpoint, IPv4 for a v4-mapped one (STUN must echo what the peer sent from).</summary>
    public IPEndPoint ToEndPoint(SocketAddress address)
    {
        var endPoint = (IPEndPoint)_endPointFactory.Create(address);
        return endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;
    }

    public bool SendTo(ReadOnlySpan<byte> datagram, SocketAddress remote)
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
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _socket.Dispose();
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join(TimeSpan.FromSeconds(2));
        }
    }

    private void ReceiveLoop()
    {
        // One byte more than the limit: the kernel copies at most that much of a longer datagram (and truncates it),
        // and a full buffer tells us it was too long.
        var buffer = new byte[MaxDatagramLength + 1];
        var response = new byte[ResponseBufferLength];
        var address = new SocketAddress(_socket.AddressFamily);
        while (!_disposed)
        {
            int received;
            try
            {
                received = _socket.ReceiveFrom(buffer, SocketFlags.None, address);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.MessageSize)
            {
                _oversized();
                continue;
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

            if (received > MaxDatagramLength)
            {
                _oversized();
                continue;
            }

            _handler(this, buffer.AsSpan(0, received), address, response);
        }
    }
}
