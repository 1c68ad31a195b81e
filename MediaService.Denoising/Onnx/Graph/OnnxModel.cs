namespace AudioStream.MediaService.Denoising.Onnx.Graph;

/// <summary>
/// An ONNX model opened for editing: the graph's nodes, inputs, outputs and initializers as views over the wire-level
/// message (field numbers from onnx.proto), everything else kept byte for byte. <see cref="ToArray"/> gives a model
/// ONNX Runtime can load from memory.
/// </summary>
internal sealed class OnnxModel
{
    private const int ModelGraph = 7;
    private const int GraphNode = 1;
    private const int GraphInitializer = 5;
    private const int GraphInput = 11;
    private const int GraphOutput = 12;
    private const int GraphValueInfo = 13;

    private readonly ProtoMessage _model;
    private readonly ProtoMessage _graph;

    private OnnxModel(string name, ProtoMessage model)
    {
        Name = name;
        _model = model;
        _graph = model.First(ModelGraph)?.Message ?? throw new InvalidDataException($"{name} holds no graph.");
        Nodes = [.. _graph.Messages(GraphNode).Select(m => new OnnxNode(m))];
        Inputs = [.. _graph.Messages(GraphInput).Select(m => new OnnxValueInfo(m))];
        Outputs = [.. _graph.Messages(GraphOutput).Select(m => new OnnxValueInfo(m))];
        Initializers = [.. _graph.Messages(GraphInitializer).Select(m => new OnnxTensor(m))];
    }

    /// <summary>File name, for messages.</summary>
    public string Name { get; }

    public List<OnnxNode> Nodes { get; }

    public List<OnnxValueInfo> Inputs { get; }

    public List<OnnxValueInfo> Outputs { get; }

    public List<OnnxTensor> Initializers { get; }

    public static OnnxModel Load(string path) => Parse(Path.GetFileName(path), File.ReadAllBytes(path));

    public static OnnxModel Parse(string name, byte[] bytes) => new(name, ProtoMessage.Parse(bytes));

    public OnnxNode? FindNode(string name) => Nodes.FirstOrDefault(n => n.Name == name);

    /// <summary>The node producing <paramref name="tensor"/>; null for graph inputs and initializers.</summary>
    public OnnxNode? Producer(string tensor) => Nodes.FirstOrDefault(n => n.Outputs.Contains(tensor));

    public IEnumerable<OnnxNode> Consumers(string tensor) => Nodes.Where(n => n.Inputs.Contains(tensor));

    public bool IsOutput(string tensor) => Outputs.Any(o => o.Name == tensor);

    /// <summary>
    /// The constant value of <paramref name="tensor"/> as 64-bit integers when it is an initializer or a
    /// <c>Constant</c> node's output; null otherwise.
    /// </summary>
    public long[]? ConstantInt64(string tensor)
    {
        var initializer = Initializers.FirstOrDefault(t => t.Name == tensor);
        if (initializer is not null)
        {
            return initializer.Int64Values();
        }

        var producer = Producer(tensor);
        return producer is { OpType: "Constant" } ? producer.TensorAttribute("value")?.Int64Values() : null;
    }

    /// <summary>Drops nodes whose outputs reach no graph output (after edits left them dangling), and unused initializers.</summary>
    public void Prune()
    {
        var needed = new HashSet<string>(Outputs.Select(o => o.Name));
        var kept = new List<OnnxNode>();
        for (var i = Nodes.Count - 1; i >= 0; i--)
        {
            var node = Nodes[i];
            if (node.Outputs.Any(needed.Contains))
            {
                kept.Add(node);
                foreach (var input in node.Inputs.Where(i => i.Length > 0))
                {
                    needed.Add(input);
                }
            }
        }

        kept.Reverse();
        Nodes.Clear();
        Nodes.AddRange(kept);
        Initializers.RemoveAll(t => !needed.Contains(t.Name));
    }

    public byte[] ToArray()
    {
        foreach (var node in Nodes)
        {
            node.Commit();
        }

        _graph.ReplaceAll(GraphNode, Nodes.Select(n => ProtoField.Of(GraphNode, n.Message)));
        _graph.ReplaceAll(GraphInitializer, Initializers.Select(t => ProtoField.Of(GraphInitializer, t.Message)));
        _graph.ReplaceAll(GraphInput, Inputs.Select(v => ProtoField.Of(GraphInput, v.Message)));
        _graph.ReplaceAll(GraphOutput, Outputs.Select(v => ProtoField.Of(GraphOutput, v.Message)));
        // Intermediate shapes recorded by the exporter pin the batch to 1; ONNX Runtime infers them again.
        _graph.RemoveAll(GraphValueInfo);
        return _model.ToArray();
    }
}
