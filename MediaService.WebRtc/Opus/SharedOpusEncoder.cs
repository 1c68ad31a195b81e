namespace AudioStream.MediaService.WebRtc.Opus;

/// <summary>
/// Encodes a stream's processed track to Opus once for all listeners with the same channel count: the first listener
/// to send a frame encodes it, the others reuse the packet. Frames must be asked for in track order (each listener
/// walks the track forwards); the last 64 packets are kept for listeners a little behind. A frame older than that
/// gets null and the listener encodes it itself.
/// </summary>
public sealed class SharedOpusEncoder(int channels, int bitrate)
{
    private const int Remembered = 64;

    private readonly OpusAudioEncoder _encoder = new(channels, bitrate);
    private readonly byte[] _buffer = new byte[OpusAudioEncoder.MaxPacketBytes];
    private readonly (long Offset, byte[]? Packet)[] _recent = new (long, byte[]?)[Remembered];
    private readonly Lock _gate = new();
    private long _lastEncoded = -1;

    public int Channels { get; } = channels;

    public int Bitrate { get; } = bitrate;

    /// <summary>Frames encoded, and packets handed out again from the cache.</summary>
    public long Encoded { get; private set; }

    public long Reused { get; private set; }

    /// <param name="sampleOffset">The frame's position on the track (a multiple of 960).</param>
    /// <param name="samples">Its 960 samples.</param>
    public byte[]? GetPacket(long sampleOffset, ReadOnlySpan<float> samples)
    {
        int slot = (int)(sampleOffset / OpusAudioEncoder.FrameSamples % Remembered);
        lock (_gate)
        {
            if (sampleOffset <= _lastEncoded)
            {
                var (offset, packet) = _recent[slot];
                if (offset == sampleOffset && packet is not null)
                {
                    Reused++;
                    return packet;
                }

                return null;
            }

            int length = _encoder.Encode(samples, _buffer);
            var encoded = _buffer.AsSpan(0, length).ToArray();
            _recent[slot] = (sampleOffset, encoded);
            _lastEncoded = sampleOffset;
            Encoded++;
            return encoded;
        }
    }
}
