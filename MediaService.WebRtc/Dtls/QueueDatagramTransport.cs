using System.Collections.Concurrent;
using Org.BouncyCastle.Tls;

namespace AudioStream.MediaService.WebRtc.Dtls;

/// <summary>
/// BouncyCastle's view of the wire for one peer: datagrams the demultiplexer hands in are queued (bounded; extra
/// ones are dropped), sends go through a callback to the shared socket. Receive returns -1 on timeout or close.
/// </summary>
public sealed class QueueDatagramTransport : DatagramTransport, IDisposable
{
    public const int Mtu = 1200;
    private const int ReceiveLimit = 4096;

    private readonly BlockingCollection<byte[]> _queue;
    private readonly Action<ReadOnlyMemory<byte>> _send;
    private readonly CancellationTokenSource _closed = new();
    private long _taken;

    public QueueDatagramTransport(Action<ReadOnlyMemory<byte>> send, int capacity = 64)
    {
        _send = send;
        _queue = new BlockingCollection<byte[]>(new ConcurrentQueue<byte[]>(), capacity);
    }

    public long Dropped { get; private set; }

    public bool IsClosed => _closed.IsCancellationRequested;

    /// <summary>Whether a received datagram waits to be read.</summary>
    public bool HasQueued => QueuedCount > 0;

    /// <summary>Datagrams read so far.</summary>
    public long Taken => Interlocked.Read(ref _taken);

    /// <summary>Received datagrams waiting to be read (0 once closed).</summary>
    public int QueuedCount => _closed.IsCancellationRequested ? 0 : _queue.Count;

    /// <summary>Queues one received DTLS datagram. False when full or closed (the datagram is dropped).</summary>
    public bool Enqueue(ReadOnlySpan<byte> datagram)
    {
        if (_closed.IsCancellationRequested || datagram.Length > ReceiveLimit)
        {
            Dropped++;
            return false;
        }

        try
        {
            if (_queue.TryAdd(datagram.ToArray()))
            {
                return true;
            }
        }
        catch (InvalidOperationException)
        {
            // Completed: closing.
        }

        Dropped++;
        return false;
    }

    public int GetReceiveLimit() => ReceiveLimit;

    public int GetSendLimit() => Mtu;

    public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

    public int Receive(Span<byte> buffer, int waitMillis)
    {
        if (_closed.IsCancellationRequested)
        {
            return -1;
        }

        try
        {
            if (_queue.TryTake(out var datagram, Math.Max(0, waitMillis), _closed.Token))
            {
                Interlocked.Increment(ref _taken);
                int count = Math.Min(datagram.Length, buffer.Length);
                datagram.AsSpan(0, count).CopyTo(buffer);
                return count;
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        return -1;
    }

    public void Send(byte[] buf, int off, int len) => Send(buf.AsSpan(off, len));

    public void Send(ReadOnlySpan<byte> buffer)
    {
        if (!_closed.IsCancellationRequested)
        {
            _send(buffer.ToArray());
        }
    }

    public void Close()
    {
        if (!_closed.IsCancellationRequested)
        {
            _closed.Cancel();
            _queue.CompleteAdding();
        }
    }

    public void Dispose()
    {
        Close();
        _closed.Dispose();
        _queue.Dispose();
    }
}
