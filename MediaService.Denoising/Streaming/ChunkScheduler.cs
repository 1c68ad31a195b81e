using AudioStream.MediaService.Denoising.Signal;

namespace AudioStream.MediaService.Denoising.Streaming;

/// <summary>Processes one chunk: <paramref name="output"/> has the length of <paramref name="input"/>.</summary>
public delegate void ChunkProcessor(ReadOnlySpan<float> input, Span<float> output);

/// <summary>Receives emitted samples; the span is only valid during the call.</summary>
public delegate void SampleSink(ReadOnlySpan<float> samples);

/// <summary>
/// Cuts a continuous signal into chunks for a stateless whole-buffer processor and stitches the results back into a
/// continuous, sample-exact signal. Chunk k produces output samples [kH, kH + C) (C = chunk, O = overlap,
/// H = C − O) from input [kH − K, kH + C + A): K samples of context so the recurrent model starts warm, A of
/// lookahead so the chunk's last samples do not see zero padding where the model looks ahead. Its first O samples
/// are crossfaded linearly with the previous chunk's last O. A chunk's first sample waits for the chunk and its
/// lookahead, hence <see cref="LatencySamples"/> = C + A.
/// Single-threaded and synchronous: the caller decides where it runs. A processor failure passes that chunk through
/// unprocessed and is reported to the error callback; the schedule carries on.
/// </summary>
public sealed class ChunkScheduler
{
    private readonly ChunkProcessor _processor;
    private readonly Action<Exception>? _onError;
    private readonly int _chunk;
    private readonly int _overlap;
    private readonly int _context;
    private readonly int _lookahead;
    private readonly float[] _tail;
    private float[] _buffer;
    private float[] _chunkOutput;
    private long _bufferStart;
    private int _buffered;
    private long _nextStart;
    private bool _started;
    private bool _flushed;

    public ChunkScheduler(
        int chunkSamples, int overlapSamples, int contextSamples, int lookaheadSamples, ChunkProcessor processor,
        Action<Exception>? onError = null)
    {
        ArgumentNullException.ThrowIfNull(processor);
        if (chunkSamples < 1 || overlapSamples < 0 || overlapSamples >= chunkSamples || contextSamples < 0 || lookaheadSamples < 0)
        {
            throw new ArgumentException(
                $"Need 0 <= overlap ({overlapSamples}) < chunk ({chunkSamples}), context ({contextSamples}) >= 0, lookahead ({lookaheadSamples}) >= 0.");
        }

        _processor = processor;
        _onError = onError;
        _chunk = chunkSamples;
        _overlap = overlapSamples;
        _context = contextSamples;
        _lookahead = lookaheadSamples;
        _tail = new float[overlapSamples];
        _buffer = new float[contextSamples + chunkSamples + lookaheadSamples];
        _chunkOutput = new float[contextSamples + chunkSamples + lookaheadSamples];
    }

    /// <summary>Delay between a sample's arrival and the latest moment its output can be emitted.</summary>
    public int LatencySamples => _chunk + _lookahead;

    public long SamplesReceived => _bufferStart + _buffered;

    public long SamplesEmitted { get; private set; }

    public int ChunksProcessed { get; private set; }

    public int ChunksFailed { get; private set; }

    public bool HasReadyChunk => !_flushed && SamplesReceived >= _nextStart + _chunk + _lookahead;

    public void Append(ReadOnlySpan<float> samples)
    {
        if (_flushed)
        {
            throw new InvalidOperationException("The schedule was flushed; no more input is accepted.");
        }

        if (_buffered + samples.Length > _buffer.Length)
        {
            Compact();
            if (_buffered + samples.Length > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Max(_buffered + samples.Length, _buffer.Length * 2));
            }
        }

        samples.CopyTo(_buffer.AsSpan(_buffered));
        _buffered += samples.Length;
    }

    /// <summary>Processes the next complete chunk and emits the samples it finalises (C − O of them).</summary>
    public void ProcessNext(SampleSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (!HasReadyChunk)
        {
            throw new InvalidOperationException("No complete chunk is buffered.");
        }

        var output = ProcessSpan(_nextStart, _chunk, _lookahead);
        var hop = _chunk - _overlap;
        sink(output[..hop]);
        output[hop..].CopyTo(_tail);
        SamplesEmitted += hop;
        _nextStart += hop;
    }

    public void ProcessReady(SampleSink sink)
    {
        while (HasReadyChunk)
        {
            ProcessNext(sink);
        }
    }

    /// <summary>End of input: processes what remains and emits everything, so emitted == received.</summary>
    public void Flush(SampleSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (_flushed)
        {
            return;
        }

        ProcessReady(sink);
        _flushed = true;
        var remaining = (int)(SamplesReceived - _nextStart);
        if (remaining <= 0)
        {
            return;
        }

        // After a chunk, the input always reaches past the overlap it left behind (remaining >= O).
        ReadOnlySpan<float> output = _started && remaining == _overlap
            ? _tail
            : ProcessSpan(_nextStart, remaining, 0);
        sink(output);
        SamplesEmitted += remaining;
        _nextStart += remaining;
    }

    /// <summary>Runs the processor over [start − K, start + length + lookahead) and returns the output for [start, start + length), crossfaded.</summary>
    private Span<float> ProcessSpan(long start, int length, int lookahead)
    {
        var inputStart = Math.Max(0, start - _context);
        var inputLength = (int)(start + length + lookahead - inputStart);
        var input = _buffer.AsSpan((int)(inputStart - _bufferStart), inputLength);
        if (_chunkOutput.Length < inputLength)
        {
            _chunkOutput = new float[inputLength];
        }

        var processed = _chunkOutput.AsSpan(0, inputLength);
        try
        {
            _processor(input, processed);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            input.CopyTo(processed);
            ChunksFailed++;
            _onError?.Invoke(ex);
        }

        ChunksProcessed++;
        var output = processed.Slice((int)(start - inputStart), length);
        if (_started && _overlap > 0)
        {
            var fade = Math.Min(_overlap, output.Length);
            Crossfade.Linear(_tail.AsSpan(0, fade), output[..fade], output[..fade]);
        }

        _started = true;
        return output;
    }

    /// <summary>Drops input no future chunk needs (anything before the next chunk's context).</summary>
    private void Compact()
    {
        var keepFrom = Math.Max(_bufferStart, _nextStart - _context);
        var drop = (int)(keepFrom - _bufferStart);
        if (drop <= 0)
        {
            return;
        }

        _buffer.AsSpan(drop, _buffered - drop).CopyTo(_buffer);
        _buffered -= drop;
        _bufferStart = keepFrom;
    }
}
