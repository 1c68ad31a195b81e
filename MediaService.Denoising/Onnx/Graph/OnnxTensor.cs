using System.Buffers.Binary;

namespace AudioStream.MediaService.Denoising.Onnx.Graph;

/// <summary>An ONNX <c>TensorProto</c> (an initializer or a constant): name, dimensions and integer contents.</summary>
internal sealed class OnnxTensor
{
    private const int TensorDims = 1;
    private const int TensorDataType = 2;
    private const int TensorInt64Data = 7;
    private const int TensorName = 8;
    private const int TensorRawData = 9;
    private const int TensorInt32Data = 5;
    private const int TensorFloatData = 4;
    private const int DataTypeInt32 = 6;
    private const int DataTypeInt64 = 7;

    public OnnxTensor(ProtoMessage message) => Message = message;

    public ProtoMessage Message { get; }

    public string Name => Message.Text(TensorName) ?? "";

    public long[] Dimensions => [.. Int64Field(Message, TensorDims)];

    /// <summary>A new INT64 initializer.</summary>
    public static OnnxTensor Int64(string name, long[] values)
    {
        var message = new ProtoMessage();
        message.Fields.Add(ProtoField.Of(TensorDims, values.Length));
        message.Fields.Add(ProtoField.Of(TensorDataType, DataTypeInt64));
        message.Fields.Add(ProtoField.Of(TensorName, name));
        var raw = new byte[values.Length * 8];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * 8), values[i]);
        }

        message.Fields.Add(new ProtoField(TensorRawData, WireType.LengthDelimited, 0, raw));
        return new OnnxTensor(message);
    }

    /// <summary>True when every stored value is zero (raw, float or integer storage), as a zero fill value is.</summary>
    public bool IsAllZero()
    {
        foreach (var number in new[] { TensorRawData, TensorFloatData, TensorInt32Data, TensorInt64Data })
        {
            foreach (var field in Message.All(number))
            {
                if (field.Type == WireType.LengthDelimited ? field.Bytes.Span.ContainsAnyExcept((byte)0) : field.Scalar != 0)
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>The values of an INT64 or INT32 tensor; null for other element types.</summary>
    public long[]? Int64Values()
    {
        var type = Message.First(TensorDataType)?.Scalar;
        var raw = Message.First(TensorRawData)?.Bytes;
        switch (type)
        {
            case DataTypeInt64 when raw is { } bytes:
                return [.. Enumerable.Range(0, bytes.Length / 8).Select(i => BinaryPrimitives.ReadInt64LittleEndian(bytes.Span[(i * 8)..]))];
            case DataTypeInt64:
                return [.. Int64Field(Message, TensorInt64Data)];
            case DataTypeInt32 when raw is { } bytes:
                return [.. Enumerable.Range(0, bytes.Length / 4).Select(i => (long)BinaryPrimitives.ReadInt32LittleEndian(bytes.Span[(i * 4)..]))];
            case DataTypeInt32:
                return [.. Int64Field(Message, TensorInt32Data)];
            default:
                return null;
        }
    }

    /// <summary>A repeated int64 field, packed (one length-delimited run of varints) or not.</summary>
    internal static IEnumerable<long> Int64Field(ProtoMessage message, int number)
    {
        foreach (var field in message.All(number))
        {
            if (field.Type == WireType.Varint)
            {
                yield return unchecked((long)field.Scalar);
                continue;
            }

            foreach (var value in ProtoMessage.PackedVarints(field.Bytes))
            {
                yield return unchecked((long)value);
            }
        }
    }
}
