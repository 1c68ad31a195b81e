using Microsoft.ML.OnnxRuntime;

namespace AudioStream.MediaService.Denoising.Onnx.Stateful;

/// <summary>
/// One thread's workspace for <see cref="StatefulModel.Run"/>: the streams of the next call with their states, the
/// buffers every graph reads and writes (grown on demand, reused), and the ONNX tensors bound to them per call shape.
/// The caller writes features with <see cref="FeatErb"/> / <see cref="FeatSpec"/> and reads <see cref="Mask"/> and
/// <see cref="Coefs"/> after the run.
/// </summary>
internal sealed class StatefulBatch : IDisposable
{
    private const int MaxCachedShapes = 8;

    private readonly StatefulModel _model;
    private readonly Dictionary<TimeSeriesLayout, float[]> _buffers = [];
    private readonly Dictionary<(int Count, int Frames), BoundTensors> _bound = [];
    private ModelState[] _streams = [];

    public StatefulBatch(StatefulModel model) => _model = model;

    public int Count { get; private set; }

    public int Frames { get; private set; }

    /// <summary>The states of the streams in this call, in batch order.</summary>
    public ModelState[] States => _streams;

    /// <summary>Sets the next call's shape: <paramref name="count"/> streams, each advancing <paramref name="frames"/> frames.</summary>
    public void Begin(int count, int frames)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(frames, 1);
        if (_streams.Length < count)
        {
            Array.Resize(ref _streams, Math.Max(count, _streams.Length * 2));
        }

        Count = count;
        Frames = frames;
        Current = Bind();
    }

    /// <summary>The tensors of the shape <see cref="Begin"/> set.</summary>
    internal BoundTensors Current { get; private set; } = null!;

    /// <summary><c>feat_erb</c> of stream <paramref name="stream"/>, new frame <paramref name="frame"/>.</summary>
    public Span<float> FeatErb(int stream, int frame) => InputFrame(_model.Encoder.Inputs[0], stream, 0, frame);

    /// <summary><c>feat_spec</c> channel <paramref name="channel"/> (0 real, 1 imaginary) of a stream's new frame.</summary>
    public Span<float> FeatSpec(int stream, int channel, int frame) => InputFrame(_model.Encoder.Inputs[1], stream, channel, frame);

    /// <summary>ERB gains (<c>m</c>) the last run produced for a stream's frame.</summary>
    public ReadOnlySpan<float> Mask(int stream, int frame) => OutputFrame(_model.ErbDecoder.Outputs[0], stream, frame);

    /// <summary>Deep-filter coefficients (<c>coefs</c>) the last run produced for a stream's frame.</summary>
    public ReadOnlySpan<float> Coefs(int stream, int frame) => OutputFrame(_model.DfDecoder.Outputs[0], stream, frame);

    /// <summary>The tensors for the current shape, created on first use and kept for the next calls of that shape.</summary>
    private BoundTensors Bind()
    {
        if (_bound.TryGetValue((Count, Frames), out var bound))
        {
            return bound;
        }

        var grew = false;
        foreach (var graph in _model.Graphs)
        {
            foreach (var layout in graph.Inputs.Where(l => graph == _model.Encoder || l.History > 0))
            {
                grew |= Ensure(layout, layout.StreamFloats(Frames));
            }

            foreach (var layout in graph.Outputs)
            {
                grew |= Ensure(layout, layout.StreamFloats(Frames));
            }
        }

        if (grew || _bound.Count >= MaxCachedShapes)
        {
            Unbind();
        }

        bound = new BoundTensors(this, _model);
        _bound[(Count, Frames)] = bound;
        return bound;
    }

    public void Dispose() => Unbind();

    internal float[] Buffer(TimeSeriesLayout layout) => _buffers[layout];

    private Span<float> InputFrame(TimeSeriesLayout layout, int stream, int channel, int frame)
    {
        var joined = layout.History + Frames;
        var offset = stream * layout.StreamFloats(Frames) + (channel * joined + layout.History + frame) * layout.Features;
        return _buffers[layout].AsSpan(offset, layout.Features);
    }

    private ReadOnlySpan<float> OutputFrame(TimeSeriesLayout layout, int stream, int frame) =>
        _buffers[layout].AsSpan((stream * Frames + frame) * layout.PerFrame, layout.PerFrame);

    private bool Ensure(TimeSeriesLayout layout, int perStream)
    {
        var needed = Count * perStream;
        if (_buffers.TryGetValue(layout, out var buffer) && buffer.Length >= needed)
        {
            return false;
        }

        _buffers[layout] = new float[needed + needed / 4];
        return true;
    }

    private void Unbind()
    {
        foreach (var bound in _bound.Values)
        {
            bound.Dispose();
        }

        _bound.Clear();
    }

    /// <summary>The ONNX tensors of one call shape over the batch's buffers.</summary>
    internal sealed class BoundTensors : IDisposable
    {
        private readonly List<OrtValue> _owned = [];

        public BoundTensors(StatefulBatch batch, StatefulModel model)
        {
            var count = batch.Count;
            var frames = batch.Frames;

            OrtValue Tensor(float[] buffer, long[] shape)
            {
                var length = (int)shape.Aggregate(1L, (a, d) => a * d);
                var value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.AsMemory(0, length), shape);
                _owned.Add(value);
                return value;
            }

            var encoder = model.Encoder;
            EncoderInputs = [.. encoder.Inputs.Select(l => (float[]?)batch.Buffer(l))];
            EncoderStateInputs = [.. encoder.States.Select(s => new float[count * s.Hidden])];
            EncoderStateOutputs = [.. encoder.States.Select(s => new float[count * s.Hidden])];
            EncoderInputValues =
            [
                .. encoder.Inputs.Select(l => Tensor(batch.Buffer(l), l.Shape(count, frames, withHistory: true))),
                .. EncoderStateInputs.Select((b, i) => Tensor(b, [1, count, encoder.States[i].Hidden])),
            ];
            var encoderOutputValues = encoder.Outputs.ToDictionary(l => l.Name, l => Tensor(batch.Buffer(l), l.Shape(count, frames, withHistory: false)));
            EncoderOutputs = encoder.Outputs.ToDictionary(l => l.Name, batch.Buffer);
            EncoderOutputValues =
            [
                .. encoder.Outputs.Select(l => encoderOutputValues[l.Name]),
                .. EncoderStateOutputs.Select((b, i) => Tensor(b, [1, count, encoder.States[i].Hidden])),
            ];

            DecoderTensors Decoder(StatefulModel.Graph graph)
            {
                float[]?[] joined = [.. graph.Inputs.Select(l => l.History > 0 ? batch.Buffer(l) : null)];
                float[][] stateInputs = [.. graph.States.Select(s => new float[count * s.Hidden])];
                float[][] stateOutputs = [.. graph.States.Select(s => new float[count * s.Hidden])];
                OrtValue[] inputs =
                [
                    .. graph.Inputs.Select((l, i) => joined[i] is { } buffer
                        ? Tensor(buffer, l.Shape(count, frames, withHistory: true))
                        : encoderOutputValues[l.Name]),
                    .. stateInputs.Select((b, i) => Tensor(b, [1, count, graph.States[i].Hidden])),
                ];
                OrtValue[] outputs =
                [
                    .. graph.Outputs.Select(l => Tensor(batch.Buffer(l), l.Shape(count, frames, withHistory: false))),
                    .. stateOutputs.Select((b, i) => Tensor(b, [1, count, graph.States[i].Hidden])),
                ];
                return new DecoderTensors(joined, stateInputs, stateOutputs, inputs, outputs);
            }

            ErbDecoder = Decoder(model.ErbDecoder);
            DfDecoder = Decoder(model.DfDecoder);
        }

        public float[]?[] EncoderInputs { get; }

        public float[][] EncoderStateInputs { get; }

        public float[][] EncoderStateOutputs { get; }

        public OrtValue[] EncoderInputValues { get; }

        public OrtValue[] EncoderOutputValues { get; }

        public IReadOnlyDictionary<string, float[]> EncoderOutputs { get; }

        public DecoderTensors ErbDecoder { get; }

        public DecoderTensors DfDecoder { get; }

        public void Dispose()
        {
            foreach (var value in _owned)
            {
                value.Dispose();
            }
        }
    }

    internal sealed record DecoderTensors(
        float[]?[] JoinedInputs, float[][] StateInputs, float[][] StateOutputs, OrtValue[] InputValues, OrtValue[] OutputValues);
}
