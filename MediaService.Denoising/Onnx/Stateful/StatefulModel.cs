using System.Globalization;
using Microsoft.ML.OnnxRuntime;

namespace AudioStream.MediaService.Denoising.Onnx.Stateful;

/// <summary>
/// The three graphs rewritten to carry state (<see cref="StatefulGraphRewriter"/>), opened on the engine's provider.
/// <see cref="Run"/> advances a batch of streams by the same number of frames in one call per graph, each stream
/// bringing its own <see cref="ModelState"/>. Sessions are shared; a <see cref="StatefulBatch"/> per thread.
/// </summary>
internal sealed class StatefulModel : IDisposable
{
    private StatefulModel(Graph encoder, Graph erbDecoder, Graph dfDecoder, int gruFloats, IReadOnlyList<int> historyFloats)
    {
        Encoder = encoder;
        ErbDecoder = erbDecoder;
        DfDecoder = dfDecoder;
        GruFloats = gruFloats;
        HistoryFloats = historyFloats;
    }

    public Graph Encoder { get; }

    public Graph ErbDecoder { get; }

    public Graph DfDecoder { get; }

    public int GruFloats { get; }

    public IReadOnlyList<int> HistoryFloats { get; }

    public IEnumerable<Graph> Graphs => [Encoder, ErbDecoder, DfDecoder];

    /// <summary>Export node names the rewrite expected but did not find (empty for the official DeepFilterNet3 export).</summary>
    public IReadOnlyList<string> UnknownNames { get; private init; } = [];

    /// <summary>One line on what each stream carries, for logs.</summary>
    public string Describe()
    {
        var histories = string.Join(", ", Graphs.SelectMany(g => g.Inputs).Where(i => i.History > 0).Select(i => $"{i.Name} {i.History} frames"));
        return string.Create(CultureInfo.InvariantCulture,
            $"{Graphs.Sum(g => g.States.Length)} GRU states ({GruFloats} floats), history {histories}; {(GruFloats + HistoryFloats.Sum()) * 4 / 1024.0:F0} KB per stream");
    }

    /// <summary>
    /// Rewrites the export in <paramref name="directory"/> and opens it with <paramref name="options"/>; the layouts of
    /// the graph outputs come from the probed <paramref name="original"/> sessions.
    /// </summary>
    public static StatefulModel Open(string directory, DeepFilterNetConfig config, DeepFilterNetSessions original, SessionOptions options)
    {
        var encoderGraph = StatefulGraphRewriter.Rewrite(Path.Combine(directory, "enc.onnx"), DeepFilterNetSessions.EncoderOutputs);
        var erbGraph = StatefulGraphRewriter.Rewrite(Path.Combine(directory, "erb_dec.onnx"), DeepFilterNetSessions.ErbDecoderOutputs);
        var dfGraph = StatefulGraphRewriter.Rewrite(Path.Combine(directory, "df_dec.onnx"), DeepFilterNetSessions.DfDecoderOutputs);

        var layouts = original.Layouts;
        int[] Dimensions(string name) => layouts[name].Dimensions;
        var featureDimensions = new Dictionary<string, int[]>
        {
            ["feat_erb"] = [1, 1, -1, config.ErbBands],
            ["feat_spec"] = [1, 2, -1, config.DfBins],
        };

        var gruOffset = 0;
        var historyFloats = new List<int>();
        Graph Plan(StatefulGraph rewritten, string[] inputs, string[] outputs, Func<string, int[]> inputDimensions)
        {
            foreach (var history in rewritten.Histories.Where(h => !inputs.Contains(h.Input)))
            {
                throw new InvalidDataException($"{rewritten.File}: the history of '{history.Input}' is not an input the live path feeds.");
            }

            var inputLayouts = inputs.Select(name => new TimeSeriesLayout(
                name, inputDimensions(name), rewritten.Histories.FirstOrDefault(h => h.Input == name)?.Frames ?? 0)).ToArray();
            var historySlots = inputLayouts.Select(l =>
            {
                if (l.History == 0)
                {
                    return -1;
                }

                historyFloats.Add(l.HistoryFloats);
                return historyFloats.Count - 1;
            }).ToArray();
            var stateOffsets = rewritten.States.Select(s =>
            {
                var offset = gruOffset;
                gruOffset += s.Hidden;
                return offset;
            }).ToArray();
            var session = new InferenceSession(rewritten.Model, options);
            return new Graph(session, inputLayouts, [.. outputs.Select(n => new TimeSeriesLayout(n, Dimensions(n)))],
                [.. rewritten.States], stateOffsets, historySlots);
        }

        var opened = new List<Graph>();
        try
        {
            opened.Add(Plan(encoderGraph, DeepFilterNetSessions.EncoderInputs, DeepFilterNetSessions.EncoderOutputs, n => featureDimensions[n]));
            opened.Add(Plan(erbGraph, DeepFilterNetSessions.ErbDecoderInputs, DeepFilterNetSessions.ErbDecoderOutputs, Dimensions));
            opened.Add(Plan(dfGraph, DeepFilterNetSessions.DfDecoderInputs, DeepFilterNetSessions.DfDecoderOutputs, Dimensions));
        }
        catch
        {
            foreach (var graph in opened)
            {
                graph.Session.Dispose();
            }

            throw;
        }

        return new StatefulModel(opened[0], opened[1], opened[2], gruOffset, historyFloats)
        {
            UnknownNames = [.. new[] { encoderGraph, erbGraph, dfGraph }.SelectMany(StatefulGraphRewriter.UnknownNames)],
        };
    }

    public ModelState CreateState() => new(GruFloats, HistoryFloats);

    /// <summary>Advances every stream of <paramref name="batch"/> by <see cref="StatefulBatch.Frames"/> frames.</summary>
    public void Run(StatefulBatch batch, RunOptions runOptions)
    {
        var bound = batch.Current;

        // Encoder: the features are in place; the history of each input goes in front of them.
        PutHistories(batch, Encoder, bound.EncoderInputs, fresh: null);
        GatherStates(batch, Encoder, bound.EncoderStateInputs);
        Encoder.Session.Run(runOptions, Encoder.InputNames, bound.EncoderInputValues, Encoder.OutputNames, bound.EncoderOutputValues);
        TakeHistories(batch, Encoder, bound.EncoderInputs);

        foreach (var (graph, tensors) in new[] { (ErbDecoder, bound.ErbDecoder), (DfDecoder, bound.DfDecoder) })
        {
            PutHistories(batch, graph, tensors.JoinedInputs, bound.EncoderOutputs);
            GatherStates(batch, graph, tensors.StateInputs);
            graph.Session.Run(runOptions, graph.InputNames, tensors.InputValues, graph.OutputNames, tensors.OutputValues);
            TakeHistories(batch, graph, tensors.JoinedInputs);
            ScatterStates(batch, graph, tensors.StateOutputs);
        }

        ScatterStates(batch, Encoder, bound.EncoderStateOutputs);
    }

    public void Dispose()
    {
        foreach (var graph in Graphs)
        {
            graph.Session.Dispose();
        }
    }

    private static void PutHistories(StatefulBatch batch, Graph graph, float[]?[] joined, IReadOnlyDictionary<string, float[]>? fresh)
    {
        for (var i = 0; i < graph.Inputs.Length; i++)
        {
            var layout = graph.Inputs[i];
            if (layout.History == 0 || joined[i] is not { } buffer)
            {
                continue;
            }

            var perStream = layout.StreamFloats(batch.Frames);
            var freshPerStream = layout.PerFrame * batch.Frames;
            for (var b = 0; b < batch.Count; b++)
            {
                var target = buffer.AsSpan(b * perStream, perStream);
                layout.PutHistory(batch.States[b].History[graph.HistorySlots[i]], target, batch.Frames);
                if (fresh is not null)
                {
                    layout.PutFresh(fresh[layout.Name].AsSpan(b * freshPerStream, freshPerStream), target, batch.Frames);
                }
            }
        }
    }

    private static void TakeHistories(StatefulBatch batch, Graph graph, float[]?[] joined)
    {
        for (var i = 0; i < graph.Inputs.Length; i++)
        {
            var layout = graph.Inputs[i];
            if (layout.History == 0 || joined[i] is not { } buffer)
            {
                continue;
            }

            var perStream = layout.StreamFloats(batch.Frames);
            for (var b = 0; b < batch.Count; b++)
            {
                layout.TakeHistory(buffer.AsSpan(b * perStream, perStream), batch.States[b].History[graph.HistorySlots[i]], batch.Frames);
            }
        }
    }

    private static void GatherStates(StatefulBatch batch, Graph graph, float[][] inputs)
    {
        for (var s = 0; s < graph.States.Length; s++)
        {
            var hidden = graph.States[s].Hidden;
            for (var b = 0; b < batch.Count; b++)
            {
                batch.States[b].Gru.AsSpan(graph.StateOffsets[s], hidden).CopyTo(inputs[s].AsSpan(b * hidden, hidden));
            }
        }
    }

    private static void ScatterStates(StatefulBatch batch, Graph graph, float[][] outputs)
    {
        for (var s = 0; s < graph.States.Length; s++)
        {
            var hidden = graph.States[s].Hidden;
            for (var b = 0; b < batch.Count; b++)
            {
                outputs[s].AsSpan(b * hidden, hidden).CopyTo(batch.States[b].Gru.AsSpan(graph.StateOffsets[s], hidden));
            }
        }
    }

    /// <summary>One rewritten graph: its session, the inputs and outputs the live path feeds and reads, the states it carries.</summary>
    internal sealed class Graph(
        InferenceSession session, TimeSeriesLayout[] inputs, TimeSeriesLayout[] outputs, StateSlot[] states,
        int[] stateOffsets, int[] historySlots)
    {
        public InferenceSession Session { get; } = session;

        public TimeSeriesLayout[] Inputs { get; } = inputs;

        public TimeSeriesLayout[] Outputs { get; } = outputs;

        public StateSlot[] States { get; } = states;

        /// <summary>Where each state lies in <see cref="ModelState.Gru"/>.</summary>
        public int[] StateOffsets { get; } = stateOffsets;

        /// <summary>Per input: its index in <see cref="ModelState.History"/>, −1 without history.</summary>
        public int[] HistorySlots { get; } = historySlots;

        public string[] InputNames { get; } = [.. inputs.Select(i => i.Name), .. states.Select(s => s.Input)];

        public string[] OutputNames { get; } = [.. outputs.Select(o => o.Name), .. states.Select(s => s.Output)];
    }
}
