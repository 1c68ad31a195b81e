using System.Collections.Concurrent;

namespace AudioStream.MediaService.WebRtc.Dtls;

/// <summary>
/// A bounded set of threads that run DTLS handshakes, queued in arrival order. BouncyCastle's
/// <c>DtlsServerProtocol.Accept</c> / <c>DtlsClientProtocol.Connect</c> block their caller until the handshake ends,
/// waiting on the datagram queue between flights; run on the thread pool they would starve it, run on a thread per peer
/// a flood of offers costs a thread each. Here a handshake holds one of at most <c>maxThreads</c> threads (made as they
/// are needed) for its duration — bounded by the handshake timeout — and a connected session holds none.
/// </summary>
public sealed class DtlsHandshakeWorkers : IDisposable
{
    private readonly BlockingCollection<Action> _queue = new();
    private readonly Lock _gate = new();
    private readonly int _maxThreads;
    private readonly string _name;
    private int _threads;
    private int _idle;

    public DtlsHandshakeWorkers(int maxThreads, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxThreads, 1);
        _maxThreads = maxThreads;
        _name = name;
    }

    /// <summary>The handshakes of every <c>WebRtcClient</c> in the process (a browser's side, for tests and load).</summary>
    public static DtlsHandshakeWorkers Clients { get; } = new(4, "dtls-client");

    /// <summary>Threads made so far (never more than the maximum).</summary>
    public int ThreadCount => Volatile.Read(ref _threads);

    /// <summary>Handshakes waiting for a thread.</summary>
    public int Queued => _queue.Count;

    /// <summary>Queues a handshake; a thread is made for it when none is idle and the maximum allows.</summary>
    public void Run(Action handshake)
    {
        try
        {
            _queue.Add(handshake);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            return; // disposed: the owner is shutting down
        }

        lock (_gate)
        {
            if (Volatile.Read(ref _idle) < _queue.Count && _threads < _maxThreads)
            {
                _threads++;
                new Thread(Work) { IsBackground = true, Name = $"{_name}-{_threads}" }.Start();
            }
        }
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
    }

    private void Work()
    {
        while (true)
        {
            Action handshake;
            Interlocked.Increment(ref _idle);
            try
            {
                handshake = _queue.Take();
            }
            catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
            {
                return;
            }
            finally
            {
                Interlocked.Decrement(ref _idle);
            }

            handshake(); // a session catches its own failures
        }
    }
}
