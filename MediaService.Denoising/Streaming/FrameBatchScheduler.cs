using System.Collections.Concurrent;
using AudioStream.MediaService.Denoising.Onnx;
using Microsoft.Extensions.Logging;

namespace AudioStream.MediaService.Denoising.Streaming;

/// <summary>
/// Runs the frame-by-frame streams of one engine on a few dedicated threads (one per core on CPU; a couple feeding
/// a GPU). A stream with a hop ready is queued once; a free worker takes every stream queued at that moment (up to
/// the batch limit) and advances them together, so batches grow by themselves when the machine is busy and a call
/// costs what whole-file processing does. Nobody waits for a tick or for another stream: a stream whose audio is
/// late simply joins a later batch. With no worker threads the owner drives it: <see cref="RunPending"/> advances
/// every queued stream on the calling thread (the bench does, to measure calls of an exact batch size).
/// </summary>
public sealed class FrameBatchScheduler : IDisposable
{
    private readonly ConcurrentQueue<StatefulStreamDenoiser> _ready = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Thread[] _threads;
    private readonly FrameWorker[] _workers;
    private readonly ILogger _logger;

    public FrameBatchScheduler(DeepFilterNetEngine engine, int workers, int maxBatch, int maxFramesPerCall, ILogger logger)
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
        _stopping.Cancel();
        foreach (var thread in _threads)
        {
            thread.Join();
        }

        foreach (var worker in _workers)
        {
            worker.Dispose();
        }

        _stopping.Dispose();
        _signal.Dispose();
    }

    internal void Schedule(StatefulStreamDenoiser stream)
    {
        _ready.Enqueue(stream);
        if (_threads.Length > 0)
        {
            _signal.Release();
        }
    }

    private void Work(FrameWorker worker)
    {
        var claimed = new List<StatefulStreamDenoiser>();
        var token = _stopping.Token;
        try
        {
            while (true)
            {
                _signal.Wait(token);
                claimed.Clear();
                while (claimed.Count < MaxBatch * 2 && _ready.TryDequeue(out var stream))
                {
                    claimed.Add(stream);
                }

                // One signal was released per queued stream; the others taken here need no wake-up of their own.
                for (var i = 1; i < claimed.Count && _signal.Wait(0); i++)
                {
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
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }
}
