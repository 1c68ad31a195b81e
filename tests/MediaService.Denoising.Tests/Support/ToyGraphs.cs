using AudioStream.MediaService.Denoising.Onnx.Graph;

namespace AudioStream.MediaService.Denoising.Tests.Support;

/// <summary>Tiny ONNX graphs built field by field, for structures the official export does not exercise.</summary>
internal sealed class ToyGraphs
{
    private static readonly int[] ThreeByOne = [3, 1];

    private readonly ProtoMessage _graph = new();

    public static byte[] GruWithInputState() => new ToyGraphs()
        .Input("x", 1, 1, 4).Input("h", 1, 1, 4)
        .Node("gru", "GRU", ["x", "w", "r", "", "", "h"], ["y"], ("hidden_size", 4))
        .Output("y", 1, 1, 1, 4)
        .Build();

    /// <summary>Two grouped GRUs whose initial states are the halves of one zero tensor, split (as DeepFilterNet2 exports do).</summary>
    public static byte[] GroupedGrusStartedFromSplitZeros() => new ToyGraphs()
        .Input("x", 1, 1, 4)
        .Node("zeros", "ConstantOfShape", ["shape"], ["z"])
        .Node("split", "Split", ["z"], ["z0", "z1"])
        .Node("gru0", "GRU", ["x", "w", "r", "", "", "z0"], ["y0"], ("hidden_size", 4))
        .Node("gru1", "GRU", ["x", "w", "r", "", "", "z1"], ["y1"], ("hidden_size", 4))
        .Output("y0", 1, 1, 1, 4).Output("y1", 1, 1, 1, 4)
        .Build();

    /// <summary>A causal pad on an input that something else reads too.</summary>
    public static byte[] PaddedInputReadTwice() => new ToyGraphs()
        .Input("x", 1, 1, 5, 4)
        .Node("pad", "Pad", ["x", "pads"], ["p"])
        .Node("conv", "Conv", ["p", "w"], ["c"], ("kernel_shape", ThreeByOne))
        .Node("other", "Relu", ["x"], ["o"])
        .Output("c", 1, 1, 5, 4).Output("o", 1, 1, 5, 4)
        .Build();

    /// <summary>A convolution looking 2 frames back with no pad the rewrite could turn into history.</summary>
    public static byte[] ConvLookingBackWithoutPad() => new ToyGraphs()
        .Input("x", 1, 1, 5, 4)
        .Node("relu", "Relu", ["x"], ["r"])
        .Node("conv", "Conv", ["r", "w"], ["c"], ("kernel_shape", ThreeByOne))
        .Output("c", 1, 1, 3, 4)
        .Build();

    private ToyGraphs Input(string name, params int[] dims) => Value(11, name, dims);

    private ToyGraphs Output(string name, params int[] dims) => Value(12, name, dims);

    private ToyGraphs Value(int field, string name, int[] dims)
    {
        _graph.Fields.Add(ProtoField.Of(field, OnnxValueInfo.Float(name, [.. dims.Cast<object>()]).Message));
        return this;
    }

    private ToyGraphs Node(string name, string op, string[] inputs, string[] outputs, params (string Name, object Value)[] attributes)
    {
        var node = new OnnxNode(name, op, inputs, outputs);
        foreach (var (attribute, value) in attributes)
        {
            var message = new ProtoMessage();
            message.Fields.Add(ProtoField.Of(1, attribute));
            if (value is int[] ints)
            {
                message.Fields.AddRange(ints.Select(i => ProtoField.Of(8, i)));
                message.Fields.Add(ProtoField.Of(20, 7)); // AttributeProto.INTS
            }
            else
            {
                message.Fields.Add(ProtoField.Of(3, Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)));
                message.Fields.Add(ProtoField.Of(20, 2)); // AttributeProto.INT
            }

            node.Message.Fields.Add(ProtoField.Of(5, message));
        }

        node.Commit();
        _graph.Fields.Add(ProtoField.Of(1, node.Message));
        return this;
    }

    private byte[] Build()
    {
        var model = new ProtoMessage();
        model.Fields.Add(ProtoField.Of(1, 8));
        model.Fields.Add(ProtoField.Of(7, _graph));
        return model.ToArray();
    }
}
