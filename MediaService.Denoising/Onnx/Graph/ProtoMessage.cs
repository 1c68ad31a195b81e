using System.Text;

namespace AudioStream.MediaService.Denoising.Onnx.Graph;

/// <summary>Protocol Buffers wire types (the low three bits of a field key).</summary>
internal enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    Fixed32 = 5,
}

/// <summary>
/// One field of a <see cref="ProtoMessage"/>: a scalar (varint or fixed) or length-delimited bytes, which may be
/// opened as a nested message. An opened child is serialised from its (possibly edited) fields on write.
/// </summary>
internal sealed class ProtoField
{
    private ProtoMessage? _child;

    public ProtoField(int number, WireType type, ulong scalar, ReadOnlyMemory<byte> bytes)
    {
        Number = number;
        Type = type;
        Scalar = scalar;
        Bytes = bytes;
    }

    public int Number { get; }

    public WireType Type { get; }

    public ulong Scalar { get; }

    public ReadOnlyMemory<byte> Bytes { get; }

    public string Text => Encoding.UTF8.GetString(Bytes.Span);

    /// <summary>The bytes as a nested message, parsed once; edits to it are written back by <see cref="ProtoMessage.ToArray"/>.</summary>
    public ProtoMessage Message => _child ??= ProtoMessage.Parse(Bytes);

    internal bool IsOpened => _child is not null;

    public static ProtoField Of(int number, string text) =>
        new(number, WireType.LengthDelimited, 0, Encoding.UTF8.GetBytes(text));

    public static ProtoField Of(int number, long value) => new(number, WireType.Varint, unchecked((ulong)value), default);

    public static ProtoField Of(int number, ProtoMessage message) =>
        new(number, WireType.LengthDelimited, 0, default) { _child = message };
}

/// <summary>
/// A Protocol Buffers message kept at the wire level: every field in order, unknown ones included, so an ONNX model
/// can be edited in a few places and written back without a schema compiler. Reads are bounded by the input: a
/// length that runs past the buffer or nesting beyond 64 levels is <see cref="InvalidDataException"/>.
/// </summary>
internal sealed class ProtoMessage
{
    private const int MaxDepth = 64;

    public ProtoMessage() => Fields = [];

    private ProtoMessage(List<ProtoField> fields) => Fields = fields;

    public List<ProtoField> Fields { get; }

    public static ProtoMessage Parse(ReadOnlyMemory<byte> data)
    {
        var fields = new List<ProtoField>();
        var span = data.Span;
        var position = 0;
        while (position < span.Length)
        {
            var key = ReadVarint(span, ref position);
            var number = (int)(key >> 3);
            if (number <= 0 || (key >> 3) > int.MaxValue)
            {
                throw new InvalidDataException($"Protobuf field number {key >> 3} at byte {position} is invalid.");
            }

            var type = (WireType)(key & 7);
            switch (type)
            {
                case WireType.Varint:
                    fields.Add(new ProtoField(number, type, ReadVarint(span, ref position), default));
                    break;
                case WireType.Fixed64:
                    Need(span, position, 8);
                    fields.Add(new ProtoField(number, type, BitConverter.ToUInt64(span.Slice(position, 8)), default));
                    position += 8;
                    break;
                case WireType.Fixed32:
                    Need(span, position, 4);
                    fields.Add(new ProtoField(number, type, BitConverter.ToUInt32(span.Slice(position, 4)), default));
                    position += 4;
                    break;
                case WireType.LengthDelimited:
                    var length = ReadVarint(span, ref position);
                    if (length > (ulong)(span.Length - position))
                    {
                        throw new InvalidDataException($"Protobuf field {number} claims {length} bytes; {span.Length - position} remain.");
                    }

                    fields.Add(new ProtoField(number, type, 0, data.Slice(position, (int)length)));
                    position += (int)length;
                    break;
                default:
                    throw new InvalidDataException($"Protobuf wire type {(int)type} (field {number}) is not supported.");
            }
        }

        return new ProtoMessage(fields);
    }

    /// <summary>The varints of a packed repeated field.</summary>
    public static List<ulong> PackedVarints(ReadOnlyMemory<byte> packed)
    {
        var values = new List<ulong>();
        var span = packed.Span;
        var position = 0;
        while (position < span.Length)
        {
            values.Add(ReadVarint(span, ref position));
        }

        return values;
    }

    public IEnumerable<ProtoField> All(int number) => Fields.Where(f => f.Number == number);

    public ProtoField? First(int number) => Fields.FirstOrDefault(f => f.Number == number);

    public string? Text(int number) => First(number)?.Text;

    public IEnumerable<string> Texts(int number) => All(number).Select(f => f.Text);

    public IEnumerable<ProtoMessage> Messages(int number) => All(number).Select(f => f.Message);

    public void RemoveAll(int number) => Fields.RemoveAll(f => f.Number == number);

    /// <summary>Replaces every occurrence of a repeated field with <paramref name="values"/>, at the first one's place.</summary>
    public void ReplaceAll(int number, IEnumerable<ProtoField> values)
    {
        var at = Fields.FindIndex(f => f.Number == number);
        Fields.RemoveAll(f => f.Number == number);
        Fields.InsertRange(at < 0 ? Fields.Count : at, values);
    }

    /// <summary>Sets a singular field (its first occurrence, or appended).</summary>
    public void Set(ProtoField value)
    {
        var at = Fields.FindIndex(f => f.Number == value.Number);
        if (at < 0)
        {
            Fields.Add(value);
        }
        else
        {
            Fields[at] = value;
        }
    }

    public byte[] ToArray()
    {
        using var stream = new MemoryStream();
        WriteTo(stream, 0);
        return stream.ToArray();
    }

    private void WriteTo(Stream stream, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidDataException("Protobuf nesting is too deep.");
        }

        foreach (var field in Fields)
        {
            WriteVarint(stream, ((ulong)field.Number << 3) | (ulong)field.Type);
            switch (field.Type)
            {
                case WireType.Varint:
                    WriteVarint(stream, field.Scalar);
                    break;
                case WireType.Fixed64:
                    stream.Write(BitConverter.GetBytes(field.Scalar));
                    break;
                case WireType.Fixed32:
                    stream.Write(BitConverter.GetBytes((uint)field.Scalar));
                    break;
                default:
                    if (field.IsOpened)
                    {
                        using var child = new MemoryStream();
                        field.Message.WriteTo(child, depth + 1);
                        WriteVarint(stream, (ulong)child.Length);
                        child.Position = 0;
                        child.CopyTo(stream);
                    }
                    else
                    {
                        WriteVarint(stream, (ulong)field.Bytes.Length);
                        stream.Write(field.Bytes.Span);
                    }

                    break;
            }
        }
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            Need(span, position, 1);
            var b = span[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new InvalidDataException($"Protobuf varint at byte {position} is longer than 10 bytes.");
    }

    private static void WriteVarint(Stream stream, ulong value)
    {
        while (value >= 0x80)
        {
            stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        stream.WriteByte((byte)value);
    }

    private static void Need(ReadOnlySpan<byte> span, int position, int bytes)
    {
        if (position > span.Length - bytes)
        {
            throw new InvalidDataException($"Protobuf message ends inside a field at byte {position}.");
        }
    }
}
