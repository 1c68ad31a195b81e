namespace AudioStream.MediaService.Denoising.Onnx.Graph;

/// <summary>
/// An ONNX <c>NodeProto</c>: name, operator, input and output tensor names (editable lists, written back by
/// <see cref="Commit"/>) and its attributes.
/// </summary>
internal sealed class OnnxNode
{
    private const int NodeInput = 1;
    private const int NodeOutput = 2;
    private const int NodeName = 3;
    private const int NodeOpType = 4;
    private const int NodeAttribute = 5;
    private const int AttributeName = 1;
    private const int AttributeInt = 3;
    private const int AttributeString = 4;
    private const int AttributeTensor = 5;
    private const int AttributeInts = 8;

    public OnnxNode(ProtoMessage message)
    {
        Message = message;
        Inputs = [.. message.Texts(NodeInput)];
        Outputs = [.. message.Texts(NodeOutput)];
    }

    /// <summary>A new node with no attributes.</summary>
    public OnnxNode(string name, string opType, IEnumerable<string> inputs, IEnumerable<string> outputs)
        : this(new ProtoMessage())
    {
        Message.Set(ProtoField.Of(NodeName, name));
        Message.Set(ProtoField.Of(NodeOpType, opType));
        Inputs.AddRange(inputs);
        Outputs.AddRange(outputs);
    }

    public ProtoMessage Message { get; }

    public string Name => Message.Text(NodeName) ?? "";

    public string OpType
    {
        get => Message.Text(NodeOpType) ?? "";
        set => Message.Set(ProtoField.Of(NodeOpType, value));
    }

    /// <summary>Input tensor names in order; an empty name is an omitted optional input.</summary>
    public List<string> Inputs { get; }

    public List<string> Outputs { get; }

    public long? IntAttribute(string name) =>
        Attribute(name)?.First(AttributeInt) is { } field ? unchecked((long)field.Scalar) : null;

    public string? StringAttribute(string name) => Attribute(name)?.Text(AttributeString);

    /// <summary>A repeated-int attribute (packed or not); null when absent.</summary>
    public long[]? IntsAttribute(string name)
    {
        var attribute = Attribute(name);
        return attribute is null ? null : [.. OnnxTensor.Int64Field(attribute, AttributeInts)];
    }

    public OnnxTensor? TensorAttribute(string name) =>
        Attribute(name)?.First(AttributeTensor) is { } field ? new OnnxTensor(field.Message) : null;

    public void ClearAttributes() => Message.RemoveAll(NodeAttribute);

    /// <summary>Writes the input and output lists back into the message.</summary>
    public void Commit()
    {
        Message.ReplaceAll(NodeInput, Inputs.Select(i => ProtoField.Of(NodeInput, i)));
        Message.ReplaceAll(NodeOutput, Outputs.Select(o => ProtoField.Of(NodeOutput, o)));
    }

    public override string ToString() => $"{OpType} '{Name}' ({string.Join(", ", Inputs)}) -> ({string.Join(", ", Outputs)})";

    private ProtoMessage? Attribute(string name) =>
        Message.Messages(NodeAttribute).FirstOrDefault(a => a.Text(AttributeName) == name);
}
