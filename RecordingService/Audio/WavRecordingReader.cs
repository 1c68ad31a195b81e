using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace AudioStream.RecordingService.Audio;

/// <summary>Reads a WAV recording in the one layout this service wrote (recordings made before Ogg Opus).</summary>
public sealed class WavRecordingReader : IRecordingReader
{
    private readonly SafeFileHandle handle;
    private readonly byte[] buffer = new byte[16 * 1024];
    private long position;

    public WavRecordingReader(string path)
    {
        handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        Span<byte> header = stackalloc byte[WavFormat.HeaderSize];
        if (RandomAccess.Read(handle, header, 0) != WavFormat.HeaderSize || !WavFormat.TryReadHeader(header, out var wav))
        {
            handle.Dispose();
            throw new InvalidDataException($"{Path.GetFileName(path)} is not a recording this service wrote.");
        }
        SampleRate = wav.SampleRate;
        // The file length, not the header, says how much audio there is: right even for a file repaired later.
        Samples = Math.Max(0, RandomAccess.GetLength(handle) - WavFormat.HeaderSize) / WavFormat.BytesPerSample;
    }

    public int SampleRate { get; }

    public long Samples { get; }

    public int Read(Span<short> destination)
    {
        var total = 0;
        while (total < destination.Length)
        {
            var want = (int)Math.Min(Math.Min(destination.Length - total, buffer.Length / WavFormat.BytesPerSample), Samples - position);
            if (want <= 0)
            {
                break;
            }
            var read = RandomAccess.Read(handle, buffer.AsSpan(0, want * WavFormat.BytesPerSample), WavFormat.HeaderSize + (position * WavFormat.BytesPerSample));
            var samples = read / WavFormat.BytesPerSample;
            if (samples == 0)
            {
                break;
            }
            for (var i = 0; i < samples; i++)
            {
                destination[total + i] = BinaryPrimitives.ReadInt16LittleEndian(buffer.AsSpan(i * WavFormat.BytesPerSample));
            }
            position += samples;
            total += samples;
        }
        return total;
    }

    public void Dispose() => handle.Dispose();
}
