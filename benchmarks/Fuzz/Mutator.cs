using System.Buffers.Binary;

namespace AudioStream.Benchmarks.Fuzz;

/// <summary>
/// Mutations of valid seeds, a few at a time: bit flips, random bytes, truncation, growth, length fields inflated
/// (at the target's known offsets and anywhere, big- and little-endian), splices of two seeds, repeated regions.
/// </summary>
public sealed class Mutator(FuzzTarget target, int seed)
{
    private const int MaxLength = 4096;
    private readonly Random _random = new(seed);

    public byte[] Next()
    {
        var data = (byte[])target.Seeds[_random.Next(target.Seeds.Count)].Clone();
        int mutations = 1 + _random.Next(4);
        for (int m = 0; m < mutations; m++)
        {
            data = Mutate(data);
        }

        return data;
    }

    private byte[] Mutate(byte[] data)
    {
        switch (_random.Next(8))
        {
            case 0 when data.Length > 0:
                data[_random.Next(data.Length)] ^= (byte)(1 << _random.Next(8));
                return data;
            case 1 when data.Length > 0:
                data[_random.Next(data.Length)] = (byte)_random.Next(256);
                return data;
            case 2:
                return data[.._random.Next(data.Length + 1)];
            case 3:
                var longer = new byte[Math.Min(MaxLength, data.Length + 1 + _random.Next(64))];
                data.CopyTo(longer, 0);
                _random.NextBytes(longer.AsSpan(data.Length));
                return longer;
            case 4:
                return Inflate(data, target.LengthFieldOffsets.Count > 0 && _random.Next(2) == 0
                    ? target.LengthFieldOffsets[_random.Next(target.LengthFieldOffsets.Count)]
                    : _random.Next(Math.Max(1, data.Length)));
            case 5:
                var other = target.Seeds[_random.Next(target.Seeds.Count)];
                int head = _random.Next(data.Length + 1);
                int from = _random.Next(other.Length + 1);
                return [.. data.AsSpan(0, head), .. other.AsSpan(from, Math.Min(other.Length - from, MaxLength - head))];
            case 6 when data.Length > 0:
                int start = _random.Next(data.Length);
                int count = Math.Min(1 + _random.Next(data.Length - start), MaxLength - data.Length);
                return [.. data.AsSpan(0, start + count), .. data.AsSpan(start)];
            default:
                return data;
        }
    }

    private byte[] Inflate(byte[] data, int offset)
    {
        var value = _random.Next(4) switch
        {
            0 => 0xFFFFFFFFu,
            1 => 0x7FFFFFFFu,
            2 => (uint)_random.Next(),
            _ => 0xFFFFu,
        };
        var span = data.AsSpan();
        if (offset + 4 <= data.Length && _random.Next(2) == 0)
        {
            if (_random.Next(2) == 0)
            {
                BinaryPrimitives.WriteUInt32BigEndian(span[offset..], value);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(span[offset..], value);
            }
        }
        else if (offset + 2 <= data.Length)
        {
            BinaryPrimitives.WriteUInt16BigEndian(span[offset..], (ushort)value);
        }

        return data;
    }
}
