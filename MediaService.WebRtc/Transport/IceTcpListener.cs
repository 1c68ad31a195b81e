using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace AudioStream.MediaService.WebRtc.Transport;

/// <summary>
/// The passive side of ICE-TCP (RFC 6544): accepts connections on the endpoint's TCP port and hands every RFC 4571 frame
/// to the endpoint. A connection must authenticate with an ICE check as its first frame within
/// <see cref="FirstCheckTimeout"/>, and at most <see cref="MaxUnauthenticated"/> may wait for that at once, so idle or
/// hostile connections cost a bounded amount.
/// </summary>
internal sealed class IceTcpListener : IDisposable
{
    public const int MaxUnauthenticated = 128;
    public static readonly TimeSpan FirstCheckTimeout = TimeSpan.FromSeconds(10);

    private const int ResponseBufferLength = 512;

    private readonly Socket _listener;
    private readonly FrameHandler _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<TcpPeerTransport, byte> _connections = new();
    private int _unauthenticated;

    /// <param name="bindTo">Address and port to listen on (port 0: an ephemeral one).</param>
    /// <param name="handler">Called on the connection's read loop for every frame; false closes the connection.</param>
    /// <remarks>
    /// "All interfaces" (0.0.0.0) listens dual-stack on [::] where the machine has IPv6, so one listener hears both
    /// families (a TCP reply cannot leave from the wrong address, so per-address sockets are not needed as for UDP).
    /// </remarks>
    public IceTcpListener(IPEndPoint bindTo, FrameHandler handler)
    {
        _handler = handler;
        if (bindTo.Address.Equals(IPAddress.Any) && Socket.OSSupportsIPv6)
        {
            try
            {
                _listener = Listen(new IPEndPoint(IPAddress.IPv6Any, bindTo.Port));
            }
            catch (SocketException)
            {
                _listener = Listen(bindTo); // IPv6 switched off in the kernel
            }
        }
        else
        {
            _listener = Listen(bindTo);
        }

        LocalEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _ = Task.Run(AcceptLoopAsync);
    }

    public delegate bool FrameHandler(TcpPeerTransport connection, Span<byte> frame, byte[] response);

    public IPEndPoint LocalEndPoint { get; }

    public int ConnectionCount => _connections.Count;

    /// <summary>Whether a candidate of <paramref name="address"/>'s family reaches this listener.</summary>
    public bool Hears(IPAddress address) =>
        address.AddressFamily == LocalEndPoint.AddressFamily || (_listener.DualMode && LocalEndPoint.Address.Equals(IPAddress.IPv6Any));

    /// <summary>Closes the connections serving <paramref name="peer"/> (it closed).</summary>
    public void CloseConnectionsOf(WebRtcPeer peer)
    {
        foreach (var connection in _connections.Keys)
        {
            if (ReferenceEquals(connection.Peer, peer))
            {
                connection.Dispose();
            }
        }
    }

    public void Dispose()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        _stop.Cancel();
        _listener.Dispose();
        foreach (var connection in _connections.Keys)
        {
            connection.Dispose();
        }
    }

    private static Socket Listen(IPEndPoint bindTo)
    {
        var listener = new Socket(bindTo.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (bindTo.Address.Equals(IPAddress.IPv6Any))
            {
                listener.DualMode = true;
            }

            listener.Bind(bindTo);
            listener.Listen(256);
            return listener;
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                continue;
            }
            catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException)
            {
                break;
            }

            if (Interlocked.Increment(ref _unauthenticated) > MaxUnauthenticated)
            {
                Interlocked.Decrement(ref _unauthenticated);
                socket.Dispose();
                continue;
            }

            _ = Task.Run(() => ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        TcpPeerTransport connection;
        try
        {
            connection = new TcpPeerTransport(socket);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            Interlocked.Decrement(ref _unauthenticated);
            socket.Dispose();
            return;
        }

        _connections[connection] = 0;
        bool authenticated = false;
        var buffer = new byte[Rfc4571Framing.MaxFrameLength];
        var response = new byte[ResponseBufferLength];
        using var firstCheck = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, connection.Closed);
        firstCheck.CancelAfter(FirstCheckTimeout);
        using var serving = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, connection.Closed);
        try
        {
            while (true)
            {
                int length = await Rfc4571Framing.ReadFrameAsync(
                    connection.Stream, buffer, authenticated ? serving.Token : firstCheck.Token).ConfigureAwait(false);
                if (length == 0 || !_handler(connection, buffer.AsSpan(0, length), response))
                {
                    break;
                }

                if (!authenticated && connection.Peer is not null)
                {
                    authenticated = true;
                    Interlocked.Decrement(ref _unauthenticated);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Closed, reset, timed out before its first check, or not RFC 4571: the connection ends, nothing else.
        }
        finally
        {
            if (!authenticated)
            {
                Interlocked.Decrement(ref _unauthenticated);
            }

            _connections.TryRemove(connection, out _);
            connection.Dispose();
        }
    }
}
