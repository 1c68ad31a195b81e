namespace AudioStream.RecordingService.Tests;

/// <summary>A folder of its own per test, removed afterwards.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "audiostream-recordings-tests", Guid.NewGuid().ToString("N"));

    public TempFolder() => Directory.CreateDirectory(Path);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class Pcm
{
    /// <summary>A recognisable ramp: sample i of the timeline holds (i % 20000) + 1, never 0 (0 is silence).</summary>
    public static byte[] Ramp(long firstSample, int samples)
    {
        var bytes = new byte[samples * 2];
        for (int i = 0; i < samples; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(i * 2), RampValue(firstSample + i));
        }
        return bytes;
    }

    public static short RampValue(long sample) => (short)((sample % 20000) + 1);

    public static short[] ReadSamples(string path)
    {
        var bytes = System.IO.File.ReadAllBytes(path);
        var samples = new short[(bytes.Length - 44) / 2];
        for (int i = 0; i < samples.Length; i++)
        {
            samples[i] = System.Buffers.Binary.BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(44 + i * 2));
        }
        return samples;
    }
}

/// <summary>A clock that moves only when told (what Delay waits on is not needed here).</summary>
internal sealed class ManualClock : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _ticks;

    public override DateTimeOffset GetUtcNow() => new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero).AddTicks(_ticks);

    public void Advance(TimeSpan by) => _ticks += by.Ticks;
}
