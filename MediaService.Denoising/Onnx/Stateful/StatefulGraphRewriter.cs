using AudioStream.MediaService.Denoising.Onnx.Graph;

namespace AudioStream.MediaService.Denoising.Onnx.Stateful;

/// <summary>A recurrent state the caller carries between calls: graph input <see cref="Input"/> [1, batch, hidden] in, <see cref="Output"/> out.</summary>
internal sealed record StateSlot(string Node, string Input, string Output, int Hidden);

/// <summary>
/// A graph input a causal convolution looks back on: the caller prepends <see cref="Frames"/> earlier frames of it
/// (zeros at the start of a stream) instead of the graph's own zero padding.
/// </summary>
internal sealed record HistoryInput(string Node, string Input, int Frames);

/// <summary>One exported graph rewritten to carry state: the model bytes and what the caller must carry.</summary>
internal sealed record StatefulGraph(string File, byte[] Model, IReadOnlyList<StateSlot> States, IReadOnlyList<HistoryInput> Histories);

/// <summary>
/// Rewrites a DeepFilterNet graph in memory so that it can run frame by frame (no PyTorch, no extra files):
/// <list type="bullet">
/// <item>every GRU's zero initial state becomes a graph input (<c>h0.i</c>) and its final state a graph output
/// (<c>h1.i</c>);</item>
/// <item>every causal time <c>Pad</c> in front of a convolution that looks back in time becomes an
/// <c>Identity</c>: the caller passes that many history frames itself;</item>
/// <item>the batch dimension of every input becomes symbolic, outputs the live path does not read are dropped and
/// nodes that no longer reach an output are pruned.</item>
/// </list>
/// The rewrite goes by structure, not by node names, so exports whose names differ but whose structure is the same
/// (DeepFilterNet2) are handled; anything it cannot carry is an <see cref="InvalidDataException"/> naming the node.
/// The caller verifies the result numerically against the original graph (<see cref="StatefulModel"/>).
/// </summary>
internal static class StatefulGraphRewriter
{
    public const string BatchSymbol = "batch";

    /// <summary>Node names of the official DeepFilterNet3 export, to say whether an export is the one we know.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> KnownDeepFilterNet3Nodes = new Dictionary<string, string[]>
    {
        ["enc.onnx"] = ["/emb_gru/GRU", "/erb_conv0/0/Pad", "/df_conv0/0/Pad"],
        ["erb_dec.onnx"] = ["/emb_gru/GRU", "/emb_gru/GRU_1"],
        ["df_dec.onnx"] = ["/df_gru/gru/GRU", "/df_gru/gru/GRU_1", "/df_convp/df_convp.0/Pad"],
    };

    public static StatefulGraph Rewrite(string path, IReadOnlyCollection<string> keepOutputs) =>
        Rewrite(OnnxModel.Load(path), keepOutputs);

    public static StatefulGraph Rewrite(OnnxModel model, IReadOnlyCollection<string> keepOutputs)
    {
        var file = model.Name;
        foreach (var name in keepOutputs.Where(n => !model.IsOutput(n)))
        {
            throw new InvalidDataException($"{file} has no output '{name}' (has {string.Join(", ", model.Outputs.Select(o => o.Name))}).");
        }

        model.Outputs.RemoveAll(o => !keepOutputs.Contains(o.Name));
        var histories = ReplaceCausalPads(model);
        CheckNoOtherLookBack(model);
        var states = ExposeGruStates(model);
        foreach (var input in model.Inputs)
        {
            input.MakeSymbolic(0, BatchSymbol);
        }

        model.Prune();
        return new StatefulGraph(file, model.ToArray(), states, histories);
    }

    /// <summary>Names in <see cref="KnownDeepFilterNet3Nodes"/> the rewritten graph did not touch, if any (empty for the known export).</summary>
    public static IReadOnlyList<string> UnknownNames(StatefulGraph graph) =>
        KnownDeepFilterNet3Nodes.TryGetValue(graph.File, out var known)
            ? [.. known.Except(graph.States.Select(s => s.Node).Concat(graph.Histories.Select(h => h.Node)))]
            : [];

    private static List<HistoryInput> ReplaceCausalPads(OnnxModel model)
    {
        var histories = new List<HistoryInput>();
        foreach (var pad in model.Nodes.Where(n => n.OpType == "Pad").ToList())
        {
            var data = pad.Inputs[0];
            var conv = model.Consumers(pad.Outputs[0]).ToList();
            if (!model.Inputs.Any(i => i.Name == data) || conv is not [{ OpType: "Conv" } consumer])
            {
                continue;
            }

            var kernel = consumer.IntsAttribute("kernel_shape");
            var convPads = consumer.IntsAttribute("pads") ?? [0, 0, 0, 0];
            var strides = consumer.IntsAttribute("strides") ?? [1, 1];
            var dilations = consumer.IntsAttribute("dilations") ?? [1, 1];
            if (kernel is not { Length: 2 } || kernel[0] < 2)
            {
                continue;
            }

            if (convPads.Length != 4 || convPads[0] != 0 || convPads[2] != 0 || strides[0] != 1 || dilations[0] != 1)
            {
                throw new InvalidDataException(
                    $"{model.Name}: convolution '{consumer.Name}' after '{pad.Name}' pads, strides or dilates time " +
                    $"(pads {string.Join(",", convPads)}, strides {string.Join(",", strides)}, dilations {string.Join(",", dilations)}); " +
                    "only a causal Pad in front of a stride-1 convolution can be carried as history.");
            }

            var others = model.Consumers(data).Where(n => n != pad).Select(n => n.Name).ToList();
            if (others.Count > 0)
            {
                throw new InvalidDataException(
                    $"{model.Name}: input '{data}' feeds '{pad.Name}' and also {string.Join(", ", others)}; history frames prepended to it would reach those too.");
            }

            pad.OpType = "Identity";
            pad.Inputs.RemoveRange(1, pad.Inputs.Count - 1);
            pad.ClearAttributes();
            histories.Add(new HistoryInput(pad.Name, data, (int)kernel[0] - 1));
        }

        return histories;
    }

    private static void CheckNoOtherLookBack(OnnxModel model)
    {
        var carried = new HashSet<string>(model.Nodes.Where(n => n.OpType == "Identity").SelectMany(n => n.Outputs));
        foreach (var node in model.Nodes.Where(n => n.OpType is "Conv" or "ConvTranspose"))
        {
            var kernel = node.IntsAttribute("kernel_shape");
            if (kernel is { Length: 2 } && kernel[0] > 1 && !carried.Contains(node.Inputs[0]))
            {
                throw new InvalidDataException(
                    $"{model.Name}: '{node.Name}' ({node.OpType}) looks {kernel[0] - 1} frames back in time without a causal Pad on a graph input in front of it; the rewrite cannot carry its history.");
            }
        }
    }

    private static List<StateSlot> ExposeGruStates(OnnxModel model)
    {
        var slots = new List<StateSlot>();
        foreach (var gru in model.Nodes.Where(n => n.OpType == "GRU").ToList())
        {
            var hidden = (int)(gru.IntAttribute("hidden_size") ?? 0);
            var direction = gru.StringAttribute("direction");
            if (hidden <= 0 || direction is not (null or "forward") || gru.IntAttribute("layout") is not (null or 0))
            {
                throw new InvalidDataException($"{model.Name}: GRU '{gru.Name}' is not a forward, time-major GRU with a hidden size; its state cannot be carried.");
            }

            if (gru.Inputs.Count > 4 && gru.Inputs[4].Length > 0)
            {
                throw new InvalidDataException($"{model.Name}: GRU '{gru.Name}' takes sequence lengths; frame-by-frame calls cannot honour them.");
            }

            if (gru.Inputs.Count < 6 || !IsZeros(model, gru.Inputs[5]))
            {
                var source = gru.Inputs.Count < 6 ? "no initial state" : $"initial state '{gru.Inputs[5]}' ({model.Producer(gru.Inputs[5])?.OpType ?? "graph input"})";
                throw new InvalidDataException($"{model.Name}: GRU '{gru.Name}' has {source}, not zeros made inside the graph; the rewrite only carries zero-started states.");
            }

            var index = slots.Count;
            var input = $"h0.{index}";
            var output = $"h1.{index}";
            gru.Inputs[5] = input;
            while (gru.Outputs.Count < 2)
            {
                gru.Outputs.Add("");
            }

            if (gru.Outputs[1].Length == 0)
            {
                gru.Outputs[1] = $"{gru.Name}/Y_h";
            }

            model.Nodes.Add(new OnnxNode($"{gru.Name}/state_out", "Identity", [gru.Outputs[1]], [output]));
            model.Inputs.Add(OnnxValueInfo.Float(input, 1, BatchSymbol, hidden));
            model.Outputs.Add(OnnxValueInfo.Float(output, 1, BatchSymbol, hidden));
            slots.Add(new StateSlot(gru.Name, input, output, hidden));
        }

        return slots;
    }

    /// <summary>
    /// True when <paramref name="tensor"/> is zeros made inside the graph: a ConstantOfShape (or Constant) of zeros,
    /// possibly cut or reshaped on the way (Slice, Split, Gather, Squeeze, Unsqueeze, Reshape, Expand) — how exporters
    /// build the initial state of stacked (DeepFilterNet3) or grouped (DeepFilterNet2) GRUs.
    /// </summary>
    private static bool IsZeros(OnnxModel model, string tensor)
    {
        for (var depth = 0; depth < 8; depth++)
        {
            var producer = model.Producer(tensor);
            switch (producer?.OpType)
            {
                case "Slice" or "Split" or "Gather" or "Squeeze" or "Unsqueeze" or "Reshape" or "Expand":
                    tensor = producer.Inputs[0];
                    continue;
                case "ConstantOfShape":
                    return producer.TensorAttribute("value") is not { } value || value.IsAllZero();
                case "Constant":
                    return producer.TensorAttribute("value") is { } constant && constant.IsAllZero();
                default:
                    return false;
            }
        }

        return false;
    }
}
