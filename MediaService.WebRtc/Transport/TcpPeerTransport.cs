using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace AudioStream.MediaService.WebRtc.Transport;

/// <summary>
/// One ICE-TCP connection (RFC 6544, passive on our side) with RFC 4571 framing. Sends are queued and written by one
/// writer, so a frame is never interleaved with another; when a slow reader lets the queue fill, packets are dropped
/// (as UDP would lose them) instead of blocking the sender.
/// </summary>
internal sealed class TcpPeerTransport : PeerTransport, IDisposable
{
    private const int SendQueueCapacity = 256;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(1);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly Channel<(byte[] Buffer, int Length)> _outbound = Channel.CreateBounded<(byte[], int)>(
        new BoundedChannelOptions(SendQueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly CancellationTokenSource _closed = new();
    private WebRtcPeer? _peer;
    private long _sendDropped;
    private int _disposed;

    public TcpPeerTransport(Socket socket)
    {
        _socket = socket;
        _socket.NoDelay = true;
        _stream = new NetworkStream(socket, ownsSocket: true);
        LocalEndPoint = WithoutMapping((IPEndPoint)socket.LocalEndPoint!);
        RemoteEndPoint = WithoutMapping((IPEndPoint)socket.RemoteEndPoint!);
        _ = Task.Run(WriteLoopAsync);
    }

    public override string Protocol => "tcp";

    public override IPEndPoint LocalEndPoint { get; }

    public override IPEndPoint RemoteEndPoint { get; }

    public Stream Stream => _stream;

    public CancellationToken Closed => _closed.Token;

    /// <summary>The peer this connection's first check authenticated for; null until then.</summary>
    public WebRtcPeer? Peer
    {
        get => Volatile.Read(ref _peer);
        set => Volatile.Write(ref _peer, value);
    }

    public long SendDropped => Interlocked.Read(ref _sendDropped);

    public override bool Send(ReadOnlySpan<byte> packet)
    {
        if (Volatile.Read(ref _disposed) != 0 || packet.Length > ushort.MaxValue)
        {
            return false;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Rfc4571Framing.HeaderLength + packet.Length);
        Rfc4571Framing.WriteHeader(buffer, packet.Length);
        packet.CopyTo(buffer.AsSpan(Rfc4571Framing.HeaderLength));
        if (_outbound.Writer.TryWrite((buffer, Rfc4571Framing.HeaderLength + packet.Length)))
        {
            return true;
        }

        ArrayPool<byte>.Shared.Return(buffer);
        Interlocked.Increment(ref _sendDropped);
        return false;
    }

    /// <summary>Closes the connection once what is queued (a close_notify, say) is written, or after a second at most.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _outbound.Writer.TryComplete();
        _closed.CancelAfter(DrainTimeout);
    }

    /// <summary>An IPv4 client of a dual-stack listener, as IPv4 (STUN must echo the address the client sent from).</summary>
    private static IPEndPoint WithoutMapping(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;

    private async Task WriteLoopAsync()
    {
        var reader = _outbound.Reader;
        try
        {
            await foreach (var (buffer, length) in reader.ReadAllAsync(_closed.Token).ConfigureAwait(false))
            {
                try
                {
                    await _stream.WriteAsync(buffer.AsMemory(0, length), _closed.Token).ConfigureAwait(false);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The connection broke or would not drain: it closes either way.
        }

        Interlocked.Exchange(ref _disposed, 1);
        _outbound.Writer.TryComplete();
        _stream.Dispose();
        _closed.Cancel();
        while (reader.TryRead(out var left))
        {
            ArrayPool<byte>.Shared.Return(left.Buffer);
        }
    }
}
