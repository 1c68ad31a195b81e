using System.Diagnostics.Metrics;
using AudioStream.MediaService.Denoising.Onnx;

namespace AudioStream.MediaService.Denoising.Hosting;

/// <summary>
/// Instruments of the <c>AudioStream.Denoiser</c> meter: which provider runs (gauge, 1 with a <c>provider</c> tag),
/// real-time factor per inference, active streams, dropped samples and chunks passed through after an error.
/// </summary>
public sealed class DenoiserMetrics : IDisposable
{
    public const string MeterName = "AudioStream.Denoiser";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Histogram<double> _realTimeFactor;
    private readonly UpDownCounter<long> _activeStreams;
    private readonly Counter<long> _droppedSamples;
    private readonly Counter<long> _passedThroughChunks;
    private readonly Counter<long> _passedThroughSamples;
    private readonly Histogram<int> _batchStreams;

    internal DenoiserMetrics(IMeterFactory? meterFactory, DeepFilterNetEngine engine)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _meter.CreateObservableGauge(
            "audiostream.denoiser.provider",
            () => new Measurement<int>(
                engine.IsAvailable ? 1 : 0,
                new KeyValuePair<string, object?>("provider", ProviderName(engine.Provider)),
                new KeyValuePair<string, object?>("device.id", engine.DeviceId)),
            description: "1 while the model runs on the tagged execution provider; 0 (provider none) in pass-through.");
        _realTimeFactor = _meter.CreateHistogram<double>(
            "audiostream.denoiser.rtf", unit: "{ratio}",
            description: "Processing time over audio duration for one inference (below 1 is faster than real time).");
        _activeStreams = _meter.CreateUpDownCounter<long>(
            "audiostream.denoiser.streams.active", unit: "{stream}", description: "Streaming denoisers open.");
        _droppedSamples = _meter.CreateCounter<long>(
            "audiostream.denoiser.samples.dropped", unit: "{sample}",
            description: "Input samples dropped because a stream's queue was full.");
        _passedThroughChunks = _meter.CreateCounter<long>(
            "audiostream.denoiser.chunks.passed_through", unit: "{chunk}",
            description: "Chunks passed through unprocessed after an inference error.");
        _passedThroughSamples = _meter.CreateCounter<long>(
            "audiostream.denoiser.samples.passed_through", unit: "{sample}",
            description: "Samples of frame-by-frame streams passed through unprocessed (the denoiser fell behind, or a call failed).");
        _batchStreams = _meter.CreateHistogram<int>(
            "audiostream.denoiser.batch.streams", unit: "{stream}",
            description: "Streams advanced together by one frame-by-frame model call.");
    }

    public static string ProviderName(ExecutionProvider provider) => provider switch
    {
        ExecutionProvider.Cuda => "cuda",
        ExecutionProvider.Cpu => "cpu",
        _ => "none",
    };

    internal void RecordRealTimeFactor(double value) => _realTimeFactor.Record(value);

    internal void StreamOpened() => _activeStreams.Add(1);

    internal void StreamClosed() => _activeStreams.Add(-1);

    internal void SamplesDropped(long count) => _droppedSamples.Add(count);

    internal void ChunkPassedThrough() => _passedThroughChunks.Add(1);

    internal void SamplesPassedThrough(long count) => _passedThroughSamples.Add(count);

    internal void RecordBatch(int streams, int frames, double seconds, int sampleRate, int hop)
    {
        _batchStreams.Record(streams);
        _realTimeFactor.Record(seconds * sampleRate / ((double)streams * frames * hop));
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
