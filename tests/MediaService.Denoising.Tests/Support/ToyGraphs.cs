using AudioStream.MediaService.Denoising.Onnx.Graph;

namespace AudioStream.MediaService.Denoising.Tests.Support;

/// <summary>Tiny ONNX models built field by field, for what the official export does not exercise.</summary>
internal static class ToyGraphs
{
    /// <summary>A GRU whose initial state is a graph input rather than zeros made inside the graph.</summary>
    public static byte[] GruWithInputState()
    {
        var graph = new ProtoMessage();
        var gru = new OnnxNode("gru", "GRU", ["x", "w", "r", "", "", "h"], ["y"]);
        var hiddenSize = new ProtoMessage();
        hiddenSize.Fields.Add(ProtoField.Of(1, "hidden_size"));
        hiddenSize.Fields.Add(ProtoField.Of(3, 4));
        hiddenSize.Fields.Add(ProtoField.Of(20, 2)); // AttributeProto.INT
        gru.Message.Fields.Add(ProtoField.Of(5, hiddenSize));
        gru.Commit();
        graph.Fields.Add(ProtoField.Of(1, gru.Message));
        graph.Fields.Add(ProtoField.Of(2, "toy"));
        graph.Fields.Add(ProtoField.Of(11, OnnxValueInfo.Float("x", 1, 1, 4).Message));
        graph.Fields.Add(ProtoField.Of(11, OnnxValueInfo.Float("h", 1, 1, 4).Message));
        graph.Fields.Add(ProtoField.Of(12, OnnxValueInfo.Float("y", 1, 1, 1, 4).Message));
        var model = new ProtoMessage();
        model.Fields.Add(ProtoField.Of(1, 8));
        model.Fields.Add(ProtoField.Of(7, graph));
        return model.ToArray();
    }
}
