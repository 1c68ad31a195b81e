using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace AudioStream.RecordingService.Audio;

/// <summary>Reads a WAV recording in the one layout this service wrote (recordings made before Ogg Opus).</summary>
public sealed class WavRecordingReader : IRecordingReader
{
    private readonly SafeFileHandle _handle;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private long _position;

    public WavRecordingReader(string path)
    {
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        Span<byte> header = stackalloc byte[WavFormat.HeaderSize];
        if (RandomAccess.Read(_handle, header, 0) != WavFormat.HeaderSize || !WavFormat.TryReadHeader(header, out var wav))
        {
            _handle.Dispose();
            throw new InvalidDataException($"{Path.GetFileName(path)} is not a recording this service wrote.");
        }
        SampleRate = wav.SampleRate;
        // The file length, not the header, says how much audio there is: right even for a file repaired later.
        Samples = Math.Max(0, RandomAccess.GetLength(_handle) - WavFormat.HeaderSize) / WavFormat.BytesPerSample;
    }

    public int SampleRate { get; }

    public long Samples { get; }

    public int Read(Span<short> destination)
    {
        var total = 0;
        while (total < destination.Length)
        {
            var want = (int)Math.Min(Math.Min(destination.Length - total, _buffer.Length / WavFormat.BytesPerSample), Samples - _position);
            if (want <= 0)
            {
                break;
            }
            var read = RandomAccess.Read(_handle, _buffer.AsSpan(0, want * WavFormat.BytesPerSample), WavFormat.HeaderSize + (_position * WavFormat.BytesPerSample));
            var samples = read / WavFormat.BytesPerSample;
            if (samples == 0)
            {
                break;
            }
            for (var i = 0; i < samples; i++)
            {
                destination[total + i] = BinaryPrimitives.ReadInt16LittleEndian(_buffer.AsSpan(i * WavFormat.BytesPerSample));
            }
            _position += samples;
            total += samples;
        }
        return total;
    }

    public void Dispose() => _handle.Dispose();
}
