using System.Diagnostics;
using System.Numerics;
using AudioStream.MediaService.Denoising.Onnx;
using AudioStream.MediaService.Denoising.Onnx.Stateful;
using AudioStream.MediaService.Denoising.Signal;
using Microsoft.ML.OnnxRuntime;

namespace AudioStream.MediaService.Denoising.Streaming;

/// <summary>
/// What one scheduler thread needs to advance streams: the signal chain (STFT, features, ERB bands), a batch
/// workspace for the stateful model, and scratch. <see cref="Tick"/> runs the streams it was handed.
/// </summary>
internal sealed class FrameWorker : IDisposable
{
    private readonly StatefulModel _model;
    private readonly DeepFilterNetEngine _engine;
    private readonly int _maxBatch;
    private readonly int _maxFrames;
    /// <summary>Stream-frames one call may hold (or twice the batch limit): bounds the batch buffers (c0 alone is 24 KB a frame).</summary>
    private const int MaxStreamFramesPerCall = 128;

    private readonly RunOptions _runOptions = new();
    private readonly List<(float[] Re, float[] Im)> _windows = [];
    private readonly List<(StatefulStreamDenoiser Stream, int Frames)> _ready = [];
    private readonly List<StatefulStreamDenoiser> _group = [];

    public FrameWorker(DeepFilterNetEngine engine, int maxBatch, int maxFrames)
    {
        var config = engine.Config!;
        _engine = engine;
        _model = engine.Stateful!;
        _maxBatch = maxBatch;
        _maxFrames = maxFrames;
        Stft = new Stft(config.FftSize, config.HopSize);
        Bands = new ErbBands(config.SampleRate, config.FftSize, config.ErbBands, config.MinErbBins);
        Features = new FeatureExtractor(Bands);
        Batch = new StatefulBatch(_model);
        OutRe = new float[Stft.Bins];
        OutIm = new float[Stft.Bins];
        Windowed = new float[config.FftSize];
        ScratchErb = new float[config.ErbBands];
        ScratchRe = new float[config.DfBins];
        ScratchIm = new float[config.DfBins];
    }

    public Stft Stft { get; }

    public ErbBands Bands { get; }

    public FeatureExtractor Features { get; }

    public StatefulBatch Batch { get; }

    public float[] OutRe { get; }

    public float[] OutIm { get; }

    public float[] Windowed { get; }

    public float[] ScratchErb { get; }

    public float[] ScratchRe { get; }

    public float[] ScratchIm { get; }

    /// <summary>Model calls made and stream-frames they advanced, for the bench.</summary>
    public long Calls { get; private set; }

    public long StreamFrames { get; private set; }

    /// <summary>Spectrum scratch of batch slot <paramref name="slot"/> holding at least <paramref name="floats"/> values.</summary>
    public (float[] Re, float[] Im) SpectrumWindow(int slot, int floats)
    {
        while (_windows.Count <= slot)
        {
            _windows.Add(([], []));
        }

        if (_windows[slot].Re.Length < floats)
        {
            _windows[slot] = (new float[floats], new float[floats]);
        }

        return _windows[slot];
    }

    /// <summary>
    /// Advances the handed streams: each says how many frames it has ready; streams are grouped by that count
    /// (rounded down to a power of two, at most the frames-per-call limit) and each group is one model call.
    /// A stream with frames left over, or that gets more meanwhile, is scheduled again by <c>AfterTick</c>.
    /// </summary>
    public void Tick(IReadOnlyList<StatefulStreamDenoiser> streams)
    {
        _ready.Clear();
        foreach (var stream in streams)
        {
            var frames = stream.Prepare(this);
            if (frames > 0)
            {
                _ready.Add((stream, 1 << BitOperations.Log2((uint)Math.Min(frames, _maxFrames))));
            }
        }

        foreach (var size in _ready.Select(r => r.Frames).Distinct().ToList())
        {
            var members = _ready.Where(r => r.Frames == size).Select(r => r.Stream).ToList();
            var groupSize = Math.Clamp(Math.Max(MaxStreamFramesPerCall, 2 * _maxBatch) / size, 1, _maxBatch);
            for (var start = 0; start < members.Count; start += groupSize)
            {
                _group.Clear();
                _group.AddRange(members.Skip(start).Take(groupSize));
                RunGroup(_group, size);
            }
        }

        // Hold no stream beyond its tick: an ended stream must be collectable.
        _ready.Clear();
        _group.Clear();
        Array.Clear(Batch.States);
        foreach (var stream in streams)
        {
            stream.AfterTick();
        }
    }

    public void Dispose()
    {
        Batch.Dispose();
        _runOptions.Dispose();
    }

    private void RunGroup(List<StatefulStreamDenoiser> group, int frames)
    {
        var started = Stopwatch.GetTimestamp();
        Batch.Begin(group.Count, frames);
        for (var slot = 0; slot < group.Count; slot++)
        {
            group[slot].Analyze(this, slot, frames);
        }

        try
        {
            _model.Run(Batch, _runOptions);
        }
        catch (OnnxRuntimeException ex)
        {
            foreach (var stream in group)
            {
                stream.Fail(ex);
            }

            return;
        }

        for (var slot = 0; slot < group.Count; slot++)
        {
            group[slot].Synthesize(this, slot, frames);
        }

        Calls++;
        StreamFrames += (long)group.Count * frames;
        var config = _engine.Config!;
        _engine.Metrics.RecordBatch(group.Count, frames, Stopwatch.GetElapsedTime(started).TotalSeconds, config.SampleRate, config.HopSize);
    }
}
