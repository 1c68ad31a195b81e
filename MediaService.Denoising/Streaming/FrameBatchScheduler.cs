using System.Collections.Concurrent;
using System.Diagnostics;
using AudioStream.MediaService.Denoising.Onnx;
using Microsoft.Extensions.Logging;

namespace AudioStream.MediaService.Denoising.Streaming;

/// <summary>
/// Runs the frame-by-frame streams of one engine on a few dedicated threads (one per core on CPU; a couple feeding
/// a GPU). A stream with a hop ready is queued once. Each worker runs at most one tick per tick period: it takes
/// every stream queued by then (up to the batch limit) and advances them together, so the streams that arrived
/// during a tick share one call and the cost per stream stays near whole-file level however the load is spread;
/// under heavy load ticks run back to back. A stream waits at most a tick, never for another stream: audio that is
/// late simply joins a later batch. With no worker threads the owner drives it: <see cref="RunPending"/> advances
/// every queued stream on the calling thread (the bench does, to measure calls of an exact batch size).
/// </summary>
public sealed class FrameBatchScheduler : IDisposable
{
    private readonly ConcurrentQueue<StatefulStreamDenoiser> _ready = new();
    // Monitor wait and pulse, not a semaphore: SemaphoreSlim spins (sched_yield) before it sleeps, on every wake-up.
    private readonly object _wake = new();
    private volatile bool _stopping;
    private readonly Thread[] _threads;
    private readonly FrameWorker[] _workers;
    private readonly ILogger _logger;

    private readonly TimeSpan _tick;

    public FrameBatchScheduler(
        DeepFilterNetEngine engine, int workers, int maxBatch, int maxFramesPerCall, ILogger logger, TimeSpan tick = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        if (engine.Stateful is null)
        {
            throw new InvalidOperationException($"Frame-by-frame denoising is unavailable: {engine.StatefulUnavailableReason ?? engine.UnavailableReason}");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(workers);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFramesPerCall, 1);
        Engine = engine;
        _tick = tick;
        MaxBatch = maxBatch;
        MaxFramesPerCall = maxFramesPerCall;
        _logger = logger;
        _workers = [.. Enumerable.Range(0, Math.Max(1, workers)).Select(_ => new FrameWorker(engine, maxBatch, maxFramesPerCall))];
        _threads = [.. _workers.Take(workers).Select((worker, i) => new Thread(() => Work(worker))
        {
            IsBackground = true,
            Name = $"denoise-{i}",
        })];
        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    public DeepFilterNetEngine Engine { get; }

    /// <summary>Shortest time between the starts of one worker's ticks.</summary>
    public TimeSpan Tick => _tick;

    /// <summary>Threads advancing streams; 0 when the owner calls <see cref="RunPending"/>.</summary>
    public int Workers => _threads.Length;

    public int MaxBatch { get; }

    public int MaxFramesPerCall { get; }

    /// <summary>Model calls so far and the stream-frames they advanced (their ratio is the mean batch).</summary>
    public (long Calls, long StreamFrames) Totals => (_workers.Sum(w => w.Calls), _workers.Sum(w => w.StreamFrames));

    /// <summary>Without worker threads: advances every queued stream (again while any has frames left); returns the ticks run.</summary>
    public int RunPending()
    {
        if (_threads.Length > 0)
        {
            throw new InvalidOperationException("Worker threads run this scheduler.");
        }

        var ticks = 0;
        var claimed = new List<StatefulStreamDenoiser>();
        while (!_ready.IsEmpty)
        {
            claimed.Clear();
            while (claimed.Count < MaxBatch * 2 && _ready.TryDequeue(out var stream))
            {
                claimed.Add(stream);
            }

            _workers[0].Tick(claimed);
            claimed.Clear();
            ticks++;
        }

        return ticks;
    }

    public void Dispose()
    {
        _stopping = true;
        lock (_wake)
        {
            Monitor.PulseAll(_wake);
        }

        foreach (var thread in _threads)
        {
            thread.Join();
        }

        foreach (var worker in _workers)
        {
            worker.Dispose();
        }

    }

    internal void Schedule(StatefulStreamDenoiser stream)
    {
        _ready.Enqueue(stream);
        if (_threads.Length > 0)
        {
            lock (_wake)
            {
                Monitor.Pulse(_wake);
            }
        }
    }

    private void Work(FrameWorker worker)
    {
        var claimed = new List<StatefulStreamDenoiser>();
        var lastTick = long.MinValue;
        while (true)
        {
            lock (_wake)
            {
                while (_ready.IsEmpty && !_stopping)
                {
                    Monitor.Wait(_wake);
                }
            }

            if (_stopping)
            {
                return;
            }

            // Let the tick period pass since this worker's last tick: streams arriving meanwhile join this call.
            var wait = lastTick == long.MinValue ? TimeSpan.Zero : _tick - Stopwatch.GetElapsedTime(lastTick);
            if (wait > TimeSpan.Zero)
            {
                Thread.Sleep(wait);
            }

            lastTick = Stopwatch.GetTimestamp();
            while (claimed.Count < MaxBatch * 2 && _ready.TryDequeue(out var stream))
            {
                claimed.Add(stream);
            }

            if (claimed.Count == 0)
            {
                continue;
            }

            try
            {
                worker.Tick(claimed);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Not expected (model failures are handled per group); keep the worker alive for the other streams.
                _logger.LogError(ex, "A frame-by-frame denoising tick failed");
                foreach (var stream in claimed)
                {
                    stream.AfterTick();
                }
            }

            claimed.Clear();
        }
    }
}
