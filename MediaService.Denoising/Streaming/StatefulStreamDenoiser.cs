using System.Threading.Channels;
using AudioStream.MediaService.Denoising.Onnx;
using AudioStream.MediaService.Denoising.Onnx.Stateful;
using AudioStream.MediaService.Denoising.Signal;
using Microsoft.Extensions.Logging;

namespace AudioStream.MediaService.Denoising.Streaming;

/// <summary>
/// Denoises one live stream frame by frame with the model's state carried between calls: each 10 ms hop is
/// analysed as it arrives, and the stream joins whatever batch a <see cref="FrameBatchScheduler"/> worker runs next.
/// Output equals the whole-file output of the same input (up to float rounding), 40 ms behind it.
/// </summary>
/// <remarks>
/// Timeline: raw frame r covers input [(r − 1)·hop, (r + 1)·hop) and is analysed once hop r is in; it feeds model
/// frame t = r − lookahead; enhancing frame t needs the spectra of frames t − 2 … t + 2 and finalises output
/// [(t − 1)·hop, t·hop). So output trails input by (lookahead + 1)·hop and a sample waits at most
/// (lookahead + 2)·hop = 40 ms.
/// Overload: when more than <c>maxBacklogSeconds</c> of input waits, the backlog is passed through as it came and
/// the stream restarts cleanly after it (counted in <see cref="SamplesNotDenoised"/>): live audio cannot wait, and
/// the timeline stays whole. State is touched by one worker at a time; <see cref="Write"/> only appends under a lock.
/// </remarks>
public sealed class StatefulStreamDenoiser : IStreamDenoiser
{
    private readonly FrameBatchScheduler _scheduler;
    private readonly DeepFilterNetConfig _config;
    private readonly DeepFilterNetEngine _engine;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Channel<DenoisedBlock> _output = Channel.CreateUnbounded<DenoisedBlock>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _hop;
    private readonly int _lookahead;
    private readonly long _maxBacklog;

    // Input, guarded by _gate: samples [_queueStart, _queueStart + _queueCount) of the stream.
    private float[] _queue;
    private long _queueStart;
    private int _queueCount;
    private long _written;
    private long? _length;
    private bool _padded;
    private bool _scheduled;
    private bool _aborted;

    // Signal and model state, touched only by the worker that holds the stream.
    private readonly float[] _analysis;
    private readonly FeatureNorms _norms;
    private readonly float[] _spectrumHistoryRe;
    private readonly float[] _spectrumHistoryIm;
    private readonly float[] _tail;
    private long _origin;
    private long _rawFrames;
    private long _modelFrames;
    private long _outputPosition;
    private long _emitted;
    private long _notDenoised;
    private int _finished;

    internal StatefulStreamDenoiser(FrameBatchScheduler scheduler, DeepFilterNetEngine engine, double maxBacklogSeconds, ILogger logger)
    {
        _scheduler = scheduler;
        _engine = engine;
        _config = engine.Config!;
        _logger = logger;
        _hop = _config.HopSize;
        _lookahead = _config.ConvLookahead;
        _maxBacklog = double.IsPositiveInfinity(maxBacklogSeconds) ? long.MaxValue : (long)(maxBacklogSeconds * _config.SampleRate);
        _queue = new float[_config.FftSize * 4];
        _analysis = new float[_config.FftSize];
        _norms = new FeatureNorms(_config.ErbBands, _config.DfBins, NormAlpha.Compute(_config.SampleRate, _hop, _config.NormTau));
        var historyFrames = _config.DfOrder - 1;
        var bins = _config.FftSize / 2 + 1;
        _spectrumHistoryRe = new float[historyFrames * bins];
        _spectrumHistoryIm = new float[historyFrames * bins];
        _tail = new float[_config.FftSize - _hop];
        Model = engine.Stateful!.CreateState();
        engine.Metrics.StreamOpened();
    }

    public string Mode => DenoiserModes.Stateful;

    public bool IsDenoising => true;

    public string? PassThroughReason => null;

    public int SampleRate => _config.SampleRate;

    public int LatencySamples => StreamDenoiserFactory.StatefulLatencySamples(_config);

    public ChannelReader<DenoisedBlock> Output => _output.Reader;

    public Task Completion => _completion.Task;

    public long SamplesWritten
    {
        get
        {
            lock (_gate)
            {
                return _written;
            }
        }
    }

    public long SamplesEmitted => Interlocked.Read(ref _emitted);

    public long SamplesNotDenoised => Interlocked.Read(ref _notDenoised);

    /// <summary>Bytes of state this stream carries (model, spectra, overlaps), for the bench.</summary>
    public int StateBytes => 4 * (Model.Floats + _analysis.Length + 2 * _spectrumHistoryRe.Length + _tail.Length + 2 * _config.DfBins + _config.ErbBands);

    internal ModelState Model { get; }

    public bool Write(ReadOnlySpan<float> samples)
    {
        lock (_gate)
        {
            if (_length is not null)
            {
                return false;
            }

            Append(samples, sanitize: true);
            _written += samples.Length;
            ScheduleIfReady();
        }

        return true;
    }

    public void Complete()
    {
        lock (_gate)
        {
            _length ??= _written;
            ScheduleIfReady(force: true);
        }
    }

    public async Task AbortAsync()
    {
        lock (_gate)
        {
            _aborted = true;
            _length ??= _written;
            ScheduleIfReady(force: true);
        }

        await Completion;
    }

    public async ValueTask DisposeAsync()
    {
        Complete();
        await Completion;
    }

    /// <summary>
    /// Worker: handles an abort, the end-of-stream padding and overload, primes the first frames, and says how many
    /// model frames the stream can advance now (0 when none).
    /// </summary>
    internal int Prepare(FrameWorker worker)
    {
        long end;
        lock (_gate)
        {
            if (_aborted)
            {
                _queueCount = 0;
                return 0;
            }

            if (_length is { } length && !_padded)
            {
                // Zeros after the end, as the whole-file path sees them, until the last output frame can be finalised.
                var remaining = length - _origin;
                var frames = (remaining <= 0 ? 0 : (remaining - 1 + _config.FftSize - _hop) / _hop + 1) + _lookahead;
                var inputEnd = _origin + frames * _hop;
                var zeros = (int)Math.Max(0, inputEnd - (_queueStart + _queueCount));
                Append(new float[zeros], sanitize: false);
                _padded = true;
            }

            end = _queueStart + _queueCount;
        }

        var backlog = end - ReadPosition;
        if (backlog > _maxBacklog)
        {
            Restart(ReadPosition + backlog / _hop * _hop, "the denoiser fell behind");
            return 0;
        }

        while (_rawFrames < _lookahead && end - ReadPosition >= _hop)
        {
            Prime(worker);
        }

        return (int)((end - ReadPosition) / _hop);
    }

    /// <summary>Worker: analyses the next <paramref name="frames"/> hops into slot <paramref name="slot"/> of the batch.</summary>
    internal void Analyze(FrameWorker worker, int slot, int frames)
    {
        var batch = worker.Batch;
        var bins = worker.Stft.Bins;
        var history = _spectrumHistoryRe.Length;
        var (windowRe, windowIm) = worker.SpectrumWindow(slot, history + frames * bins);
        _spectrumHistoryRe.CopyTo(windowRe, 0);
        _spectrumHistoryIm.CopyTo(windowIm, 0);
        batch.States[slot] = Model;
        for (var j = 0; j < frames; j++)
        {
            var re = windowRe.AsSpan(history + j * bins, bins);
            var im = windowIm.AsSpan(history + j * bins, bins);
            AnalyzeNextHop(worker, re, im);
            worker.Features.Extract(re, im, _norms, batch.FeatErb(slot, j), batch.FeatSpec(slot, 0, j), batch.FeatSpec(slot, 1, j));
        }

        windowRe.AsSpan(frames * bins, history).CopyTo(_spectrumHistoryRe);
        windowIm.AsSpan(frames * bins, history).CopyTo(_spectrumHistoryIm);
    }

    /// <summary>Worker: enhances the frames the last run produced for slot <paramref name="slot"/> and emits the audio they finalise.</summary>
    internal void Synthesize(FrameWorker worker, int slot, int frames)
    {
        var batch = worker.Batch;
        var bins = worker.Stft.Bins;
        var order = _config.DfOrder;
        var (windowRe, windowIm) = worker.SpectrumWindow(slot, _spectrumHistoryRe.Length + frames * bins);
        var output = new float[frames * _hop];
        var produced = 0;
        var first = OffsetOf(_modelFrames);
        for (var j = 0; j < frames; j++)
        {
            DeepFilter.EnhanceFrame(
                worker.Bands, windowRe.AsSpan(j * bins, order * bins), windowIm.AsSpan(j * bins, order * bins), bins,
                batch.Mask(slot, j), batch.Coefs(slot, j), _config.DfBins, order, _config.DfLookahead, worker.OutRe, worker.OutIm);
            worker.Stft.SynthesizeFrame(worker.OutRe, worker.OutIm, worker.Windowed);
            var hop = output.AsSpan(produced, _hop);
            for (var i = 0; i < _hop; i++)
            {
                var sample = _tail[i] + worker.Windowed[i];
                hop[i] = float.IsFinite(sample) ? sample : 0f;
            }

            worker.Windowed.AsSpan(_hop).CopyTo(_tail);
            // Model frame 0 finalises the samples before the stream's start: nothing to emit.
            if (_modelFrames++ > 0)
            {
                produced += _hop;
            }
            else
            {
                first += _hop;
            }
        }

        Emit(first, output.AsSpan(0, produced));
    }

    /// <summary>Worker: the model call for this stream failed; what it held passes through and the stream starts afresh.</summary>
    internal void Fail(Exception error)
    {
        _logger.LogError(error, "Denoising a batch failed; passing this stream's audio through and restarting its state");
        Restart(ReadPosition, "the model call failed");
    }

    /// <summary>Worker: after a tick, schedules the stream again if it has work, or finishes it.</summary>
    internal void AfterTick()
    {
        bool finish;
        lock (_gate)
        {
            var end = _queueStart + _queueCount;
            var ready = _aborted ? false : end - ReadPosition >= _hop || (_length is not null && !_padded);
            finish = _aborted || (_padded && !ready);
            _scheduled = ready;
            Compact();
        }

        if (finish)
        {
            Finish();
        }
        else if (_scheduled)
        {
            _scheduler.Schedule(this);
        }
    }

    private long ReadPosition => _origin + _rawFrames * _hop;

    /// <summary>Offset of the first sample model frame <paramref name="modelFrame"/> (since the last start) finalises.</summary>
    private long OffsetOf(long modelFrame) => _origin + (modelFrame - 1) * _hop;

    private void Prime(FrameWorker worker)
    {
        var bins = worker.Stft.Bins;
        Span<float> re = stackalloc float[bins];
        Span<float> im = stackalloc float[bins];
        AnalyzeNextHop(worker, re, im);
        worker.Features.Extract(re, im, _norms, worker.ScratchErb, worker.ScratchRe, worker.ScratchIm);
        var history = _spectrumHistoryRe.Length;
        _spectrumHistoryRe.AsSpan(bins, history - bins).CopyTo(_spectrumHistoryRe);
        _spectrumHistoryIm.AsSpan(bins, history - bins).CopyTo(_spectrumHistoryIm);
        re.CopyTo(_spectrumHistoryRe.AsSpan(history - bins));
        im.CopyTo(_spectrumHistoryIm.AsSpan(history - bins));
    }

    private void AnalyzeNextHop(FrameWorker worker, Span<float> re, Span<float> im)
    {
        var keep = _analysis.Length - _hop;
        _analysis.AsSpan(_hop, keep).CopyTo(_analysis);
        lock (_gate)
        {
            _queue.AsSpan((int)(ReadPosition - _queueStart), _hop).CopyTo(_analysis.AsSpan(keep));
        }

        _rawFrames++;
        worker.Stft.AnalyzeFrame(_analysis, re, im);
    }

    /// <summary>Passes input [output position, <paramref name="at"/>) through as it came and starts the signal chain afresh at <paramref name="at"/>.</summary>
    private void Restart(long at, string why)
    {
        float[] raw;
        lock (_gate)
        {
            var from = _outputPosition;
            raw = _queue.AsSpan((int)(from - _queueStart), (int)(at - from)).ToArray();
            _analysis.AsSpan().Clear();
            var keep = _analysis.Length - _hop;
            var before = (int)Math.Min(keep, at - _queueStart);
            _queue.AsSpan((int)(at - _queueStart - before), before).CopyTo(_analysis.AsSpan(keep - before));
            // The end padding was measured from the old start; measure again from the new one.
            _padded = false;
        }

        if (Interlocked.Add(ref _notDenoised, raw.Length) == raw.Length)
        {
            _logger.LogWarning("Stream audio passed through without denoising ({Why}); further occurrences are counted only", why);
        }

        _engine.Metrics.SamplesPassedThrough(raw.Length);
        Emit(_outputPosition, raw);
        _origin = at;
        _rawFrames = 0;
        _modelFrames = 0;
        Model.Reset();
        Array.Clear(_spectrumHistoryRe);
        Array.Clear(_spectrumHistoryIm);
        Array.Clear(_tail);
    }

    private void Emit(long offset, ReadOnlySpan<float> samples)
    {
        long? length;
        lock (_gate)
        {
            length = _length;
        }

        var count = length is { } end ? (int)Math.Clamp(end - offset, 0, samples.Length) : samples.Length;
        if (count > 0)
        {
            _output.Writer.TryWrite(new DenoisedBlock(offset, samples[..count].ToArray()));
            Interlocked.Add(ref _emitted, count);
        }

        _outputPosition = offset + samples.Length;
    }

    private void Finish()
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0)
        {
            return;
        }

        _output.Writer.TryComplete();
        _engine.Metrics.StreamClosed();
        _completion.TrySetResult();
    }

    /// <summary>Under the gate: adds samples, with non-finite values as silence and magnitudes clamped like the whole-file path.</summary>
    private void Append(ReadOnlySpan<float> samples, bool sanitize)
    {
        Compact();
        if (_queueCount + samples.Length > _queue.Length)
        {
            Array.Resize(ref _queue, Math.Max(_queueCount + samples.Length, _queue.Length * 2));
        }

        var target = _queue.AsSpan(_queueCount, samples.Length);
        samples.CopyTo(target);
        if (sanitize)
        {
            DeepFilterNetEngine.Sanitize(target);
        }

        _queueCount += samples.Length;
    }

    /// <summary>Under the gate: drops input that is already output (the queue keeps what a pass-through may still need).</summary>
    private void Compact()
    {
        var drop = (int)Math.Min(_queueCount, Math.Max(0, Math.Min(_outputPosition, _origin + (_rawFrames - 1) * _hop) - _queueStart));
        if (drop < _queue.Length / 2)
        {
            return;
        }

        _queue.AsSpan(drop, _queueCount - drop).CopyTo(_queue);
        _queueCount -= drop;
        _queueStart += drop;
    }

    /// <summary>Under the gate: hands the stream to the scheduler when it has a hop (or, forced, any work) and is not already queued.</summary>
    private void ScheduleIfReady(bool force = false)
    {
        if (_scheduled || (!force && _queueStart + _queueCount - ReadPosition < _hop))
        {
            return;
        }

        _scheduled = true;
        _scheduler.Schedule(this);
    }
}
