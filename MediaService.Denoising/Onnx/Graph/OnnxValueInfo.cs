namespace AudioStream.MediaService.Denoising.Onnx.Graph;

/// <summary>
/// A graph input or output (<c>ValueInfoProto</c>): its name and tensor shape, each dimension a number or a symbol.
/// </summary>
internal sealed class OnnxValueInfo
{
    private const int ValueName = 1;
    private const int ValueType = 2;
    private const int TypeTensor = 1;
    private const int TensorElementType = 1;
    private const int TensorShape = 2;
    private const int ShapeDim = 1;
    private const int DimValue = 1;
    private const int DimParam = 2;
    private const int ElementFloat = 1;

    public OnnxValueInfo(ProtoMessage message) => Message = message;

    public ProtoMessage Message { get; }

    public string Name => Message.Text(ValueName) ?? "";

    /// <summary>Each dimension: its size, or null when symbolic (or unknown).</summary>
    public long?[] Dimensions =>
        [.. ShapeMessage?.Messages(ShapeDim).Select(d => d.First(DimValue) is { } v ? (long?)v.Scalar : null) ?? []];

    public string ShapeText => "[" + string.Join(",", ShapeMessage?.Messages(ShapeDim).Select(d =>
        d.First(DimValue) is { } v ? v.Scalar.ToString(System.Globalization.CultureInfo.InvariantCulture) : d.Text(DimParam) ?? "?") ?? []) + "]";

    private ProtoMessage? ShapeMessage =>
        Message.First(ValueType)?.Message.First(TypeTensor)?.Message.First(TensorShape)?.Message;

    /// <summary>A float tensor; each dimension an <see cref="int"/> size or a <see cref="string"/> symbol.</summary>
    public static OnnxValueInfo Float(string name, params object[] dimensions)
    {
        var shape = new ProtoMessage();
        foreach (var dimension in dimensions)
        {
            var dim = new ProtoMessage();
            dim.Fields.Add(dimension is string symbol ? ProtoField.Of(DimParam, symbol) : ProtoField.Of(DimValue, Convert.ToInt64(dimension, System.Globalization.CultureInfo.InvariantCulture)));
            shape.Fields.Add(ProtoField.Of(ShapeDim, dim));
        }

        var tensor = new ProtoMessage();
        tensor.Fields.Add(ProtoField.Of(TensorElementType, ElementFloat));
        tensor.Fields.Add(ProtoField.Of(TensorShape, shape));
        var type = new ProtoMessage();
        type.Fields.Add(ProtoField.Of(TypeTensor, tensor));
        var message = new ProtoMessage();
        message.Fields.Add(ProtoField.Of(ValueName, name));
        message.Fields.Add(ProtoField.Of(ValueType, type));
        return new OnnxValueInfo(message);
    }

    /// <summary>Makes dimension <paramref name="axis"/> symbolic (named <paramref name="symbol"/>).</summary>
    public void MakeSymbolic(int axis, string symbol)
    {
        var dims = ShapeMessage?.All(ShapeDim).ToList() ?? throw new InvalidDataException($"'{Name}' has no shape.");
        var dim = new ProtoMessage();
        dim.Fields.Add(ProtoField.Of(DimParam, symbol));
        var at = ShapeMessage.Fields.IndexOf(dims[axis]);
        ShapeMessage.Fields[at] = ProtoField.Of(ShapeDim, dim);
    }
}
