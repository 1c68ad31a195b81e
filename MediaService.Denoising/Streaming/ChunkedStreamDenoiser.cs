using System.Buffers;
using System.Threading.Channels;
using AudioStream.MediaService.Denoising.Onnx;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AudioStream.MediaService.Denoising.Streaming;

/// <summary>
/// Denoises one live 48 kHz mono stream. <see cref="Write"/> never blocks: it copies the frame into a queue and
/// returns; a worker on the thread pool cuts the audio into chunks (see <see cref="ChunkScheduler"/>), runs the
/// shared engine and publishes continuous output on <see cref="Output"/>. <see cref="Complete"/> flushes the tail,
/// after which the output holds exactly as many samples as were accepted.
/// </summary>
/// <remarks>
/// Back-pressure policy: when more than <see cref="ChunkSettings.MaxQueuedSeconds"/> of audio waits for the
/// worker (the machine is not keeping up), <see cref="Write"/> drops the new frame, returns false and counts it in
/// <see cref="SamplesDropped"/>; live audio cannot wait. Output is an unbounded channel: the reader must drain it.
/// Failures inside the worker never escape: the affected chunk is passed through unprocessed, logged and counted.
/// Write from one thread at a time (frames of a stream are ordered).
/// </remarks>
public sealed class ChunkedStreamDenoiser : IStreamDenoiser
{
    private readonly DeepFilterNetEngine _engine;
    private readonly ILogger _logger;
    private readonly Channel<Block> _input = Channel.CreateUnbounded<Block>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<DenoisedBlock> _output = Channel.CreateUnbounded<DenoisedBlock>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly ChunkScheduler? _scheduler;
    private readonly CancellationTokenSource _stopping = new();
    private readonly long _maxQueuedSamples;
    private readonly SampleSink _emit;
    private long _queuedSamples;
    private long _samplesWritten;
    private long _samplesDropped;
    private long _samplesEmitted;
    private int _completed;
    private int _disposed;

    public ChunkedStreamDenoiser(DeepFilterNetEngine engine, ChunkSettings settings, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate(engine.SampleRate);
        _engine = engine;
        _logger = logger ?? NullLogger.Instance;
        Settings = settings;
        SampleRate = engine.SampleRate;
        _maxQueuedSamples = (long)(settings.MaxQueuedSeconds * SampleRate);
        _emit = Emit;
        if (engine.IsAvailable)
        {
            _scheduler = new ChunkScheduler(
                settings.ChunkSamples(SampleRate), settings.OverlapSamples(SampleRate), settings.ContextSamples(SampleRate),
                settings.LookaheadSamples(SampleRate), engine.Denoise, OnChunkFailed);
        }

        engine.Metrics.StreamOpened();
        Completion = Task.Run(RunAsync);
    }

    public ChunkSettings Settings { get; }

    public string Mode => IsDenoising ? DenoiserModes.Chunked : DenoiserModes.PassThrough;

    /// <summary>Samples per second expected from <see cref="Write"/> (48 000).</summary>
    public int SampleRate { get; }

    /// <summary>False when the engine has no model: audio then passes through unchanged and without delay.</summary>
    public bool IsDenoising => _scheduler is not null;

    /// <summary>Why the stream passes audio through; null while it denoises.</summary>
    public string? PassThroughReason => IsDenoising ? null : _engine.UnavailableReason;

    /// <summary>
    /// Algorithmic delay these settings add, in samples: a chunk's first sample waits for the whole chunk and its
    /// lookahead (the worker's processing time comes on top). 0 in pass-through.
    /// </summary>
    public int LatencySamples => _scheduler?.LatencySamples ?? 0;

    public TimeSpan Latency => TimeSpan.FromSeconds((double)LatencySamples / SampleRate);

    /// <summary>
    /// Denoised audio in order, in blocks of C − O samples (the tail block may differ); completes after
    /// <see cref="Complete"/>. Offsets count accepted samples: a dropped frame shifts what follows.
    /// </summary>
    public ChannelReader<DenoisedBlock> Output => _output.Reader;

    /// <summary>Finishes once the worker has flushed the tail and completed <see cref="Output"/>.</summary>
    public Task Completion { get; }

    public long SamplesWritten => Interlocked.Read(ref _samplesWritten);

    public long SamplesDropped => Interlocked.Read(ref _samplesDropped);

    public long SamplesEmitted => Interlocked.Read(ref _samplesEmitted);

    public long SamplesNotDenoised => SamplesDropped;

    public int ChunksPassedThrough => _scheduler?.ChunksFailed ?? 0;

    /// <summary>Queues a frame of any size without blocking. False when it was dropped (queue full) or the stream is complete.</summary>
    public bool Write(ReadOnlySpan<float> samples)
    {
        if (Volatile.Read(ref _completed) != 0)
        {
            return false;
        }

        if (samples.IsEmpty)
        {
            return true;
        }

        if (Interlocked.Add(ref _queuedSamples, samples.Length) > _maxQueuedSamples)
        {
            Interlocked.Add(ref _queuedSamples, -samples.Length);
            var dropped = Interlocked.Add(ref _samplesDropped, samples.Length);
            _engine.Metrics.SamplesDropped(samples.Length);
            if (dropped == samples.Length)
            {
                _logger.LogWarning("Denoiser queue full ({Seconds} s waiting): dropping input frames", Settings.MaxQueuedSeconds);
            }

            return false;
        }

        var buffer = ArrayPool<float>.Shared.Rent(samples.Length);
        samples.CopyTo(buffer);
        if (!_input.Writer.TryWrite(new Block(buffer, samples.Length)))
        {
            ArrayPool<float>.Shared.Return(buffer);
            Interlocked.Add(ref _queuedSamples, -samples.Length);
            return false;
        }

        Interlocked.Add(ref _samplesWritten, samples.Length);
        return true;
    }

    /// <summary>Marks the end of the stream: the worker processes the remaining audio and completes <see cref="Output"/>.</summary>
    public void Complete()
    {
        Interlocked.Exchange(ref _completed, 1);
        _input.Writer.TryComplete();
    }

    /// <summary>Completes the stream and waits for the flush; <see cref="Output"/> keeps what was produced.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Complete();
        await Completion;
        _stopping.Dispose();
    }

    /// <summary>Stops without flushing: pending input is discarded.</summary>
    public async Task AbortAsync()
    {
        Complete();
        await _stopping.CancelAsync();
        await Completion;
    }

    private async Task RunAsync()
    {
        var token = _stopping.Token;
        try
        {
            while (await _input.Reader.WaitToReadAsync(token))
            {
                while (_input.Reader.TryRead(out var block))
                {
                    Interlocked.Add(ref _queuedSamples, -block.Length);
                    try
                    {
                        if (_scheduler is null)
                        {
                            Emit(block.Span);
                            continue;
                        }

                        _scheduler.Append(block.Span);
                    }
                    finally
                    {
                        ArrayPool<float>.Shared.Return(block.Buffer);
                    }

                    while (_scheduler.HasReadyChunk)
                    {
                        await RunGatedAsync(() => _scheduler.ProcessNext(_emit), token);
                    }
                }
            }

            if (_scheduler is not null)
            {
                await RunGatedAsync(() => _scheduler.Flush(_emit), token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            _logger.LogDebug("Denoiser stream aborted with {Samples} samples unprocessed", Interlocked.Read(ref _queuedSamples));
        }
        catch (Exception ex)
        {
            // Not expected (chunk failures are handled by the scheduler), but a stream must end cleanly whatever happens.
            _logger.LogError(ex, "Denoiser stream worker failed; output ends here");
        }
        finally
        {
            _output.Writer.TryComplete();
            _engine.Metrics.StreamClosed();
        }
    }

    private async Task RunGatedAsync(Action work, CancellationToken token)
    {
        await _engine.InferenceGate.WaitAsync(token);
        try
        {
            work();
        }
        finally
        {
            _engine.InferenceGate.Release();
        }
    }

    private void Emit(ReadOnlySpan<float> samples)
    {
        if (samples.IsEmpty)
        {
            return;
        }

        // One writer (the worker), so the offset read before the add is this block's.
        _output.Writer.TryWrite(new DenoisedBlock(Interlocked.Read(ref _samplesEmitted), samples.ToArray()));
        Interlocked.Add(ref _samplesEmitted, samples.Length);
    }

    private void OnChunkFailed(Exception ex)
    {
        _engine.Metrics.ChunkPassedThrough();
        _logger.LogError(ex, "Denoising a chunk failed; passing it through unprocessed");
    }

    private readonly record struct Block(float[] Buffer, int Length)
    {
        public ReadOnlySpan<float> Span => Buffer.AsSpan(0, Length);
    }
}
