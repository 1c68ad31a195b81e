using System.Collections.Concurrent;
using AudioStream.MediaService.Denoising.Onnx;
using Microsoft.Extensions.Logging;

namespace AudioStream.MediaService.Denoising.Streaming;

/// <summary>
/// Runs the frame-by-frame streams of one engine on a few dedicated threads (one per core on CPU; a couple feeding
/// a GPU). A stream with a hop ready is queued once; a free worker takes every stream queued at that moment (up to
/// the batch limit) and advances them together, so batches grow by themselves when the machine is busy and a call
/// costs what whole-file processing does. Nobody waits for a tick or for another stream: a stream whose audio is
/// late simply joins a later batch.
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

        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFramesPerCall, 1);
        Engine = engine;
        MaxBatch = maxBatch;
        MaxFramesPerCall = maxFramesPerCall;
        _logger = logger;
        _workers = [.. Enumerable.Range(0, workers).Select(_ => new FrameWorker(engine, maxBatch, maxFramesPerCall))];
        _threads = [.. _workers.Select((worker, i) => new Thread(() => Work(worker))
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

    public int Workers => _workers.Length;

    public int MaxBatch { get; }

    public int MaxFramesPerCall { get; }

    /// <summary>Model calls so far and the stream-frames they advanced (their ratio is the mean batch).</summary>
    public (long Calls, long StreamFrames) Totals => (_workers.Sum(w => w.Calls), _workers.Sum(w => w.StreamFrames));

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
        _signal.Release();
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
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }
}
