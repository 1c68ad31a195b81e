using System.Buffers;

namespace AudioStream.MediaService.WebRtc.Jitter;

/// <summary>
/// Reorders RTP payloads by sequence number (16-bit wrap-aware). Frames come out in order as soon as they are
/// contiguous; a gap is declared lost once <see cref="MaxReorderPackets"/> newer packets have arrived beyond it, so
/// the buffer adds no delay while nothing is missing. Duplicates and late packets are dropped and counted.
/// </summary>
public sealed class JitterBuffer : IDisposable
{
    private const int Capacity = 64;
    private const int MaxPayload = 1500;

    private readonly Slot[] _slots = new Slot[Capacity];
    private bool _started;
    private ushort _next;
    private ushort _newest;
    private int _buffered;
    private uint _lastTimestamp;
    private int _lastTimestampStep = 960;

    public JitterBuffer(int maxReorderPackets = 3)
    {
        if (maxReorderPackets is < 1 or >= Capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(maxReorderPackets));
        }

        MaxReorderPackets = maxReorderPackets;
        for (int i = 0; i < Capacity; i++)
        {
            _slots[i].Buffer = ArrayPool<byte>.Shared.Rent(MaxPayload);
        }
    }

    public int MaxReorderPackets { get; }

    public long Duplicates { get; private set; }

    public long Late { get; private set; }

    public long Lost { get; private set; }

    public long Resyncs { get; private set; }

    public int Buffered => _buffered;

    public JitterPushResult Push(ushort sequence, uint timestamp, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > MaxPayload)
        {
            payload = payload[..MaxPayload];
        }

        if (!_started)
        {
            _started = true;
            _next = sequence;
            _newest = sequence;
            _lastTimestamp = timestamp - (uint)_lastTimestampStep;
        }

        int ahead = (short)(ushort)(sequence - _next);
        if (ahead < 0)
        {
            Late++;
            return JitterPushResult.Late;
        }

        var result = JitterPushResult.Accepted;
        if (ahead >= Capacity)
        {
            Resyncs++;
            Lost += ahead;
            for (int i = 0; i < Capacity; i++)
            {
                _slots[i].Present = false;
            }

            _buffered = 0;
            _next = sequence;
            _newest = sequence;
            _lastTimestamp = timestamp - (uint)_lastTimestampStep;
            result = JitterPushResult.Resynchronized;
        }

        ref var slot = ref _slots[sequence % Capacity];
        if (slot.Present && slot.Sequence == sequence)
        {
            Duplicates++;
            return JitterPushResult.Duplicate;
        }

        slot.Present = true;
        slot.Sequence = sequence;
        slot.Timestamp = timestamp;
        slot.Length = payload.Length;
        payload.CopyTo(slot.Buffer);
        _buffered++;
        if ((short)(ushort)(sequence - _newest) > 0)
        {
            _newest = sequence;
        }

        return result;
    }

    /// <summary>
    /// Takes the next frame in order, copying its payload into <paramref name="payload"/>. A lost frame has no payload
    /// and an estimated timestamp. False when the next frame is neither here nor given up on.
    /// </summary>
    public bool TryPop(Span<byte> payload, out JitterFrame frame)
    {
        frame = default;
        if (!_started || _buffered == 0)
        {
            return false;
        }

        ref var slot = ref _slots[_next % Capacity];
        if (slot.Present && slot.Sequence == _next)
        {
            int length = Math.Min(slot.Length, payload.Length);
            slot.Buffer.AsSpan(0, length).CopyTo(payload);
            frame = new JitterFrame(_next, slot.Timestamp, length, false);
            uint step = slot.Timestamp - _lastTimestamp;
            if (step is > 0 and <= 5760)
            {
                _lastTimestampStep = (int)step;
            }

            _lastTimestamp = slot.Timestamp;
            slot.Present = false;
            _buffered--;
            _next++;
            return true;
        }

        int waiting = (short)(ushort)(_newest - _next);
        if (waiting >= MaxReorderPackets)
        {
            _lastTimestamp += (uint)_lastTimestampStep;
            frame = new JitterFrame(_next, _lastTimestamp, 0, true);
            Lost++;
            _next++;
            return true;
        }

        return false;
    }

    public void Dispose()
    {
        for (int i = 0; i < Capacity; i++)
        {
            if (_slots[i].Buffer is { } buffer)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                _slots[i].Buffer = null!;
            }
        }
    }

    private struct Slot
    {
        public byte[] Buffer;
        public bool Present;
        public ushort Sequence;
        public uint Timestamp;
        public int Length;
    }
}
