using System.Diagnostics;
using AudioStream.RecordingService.Audio;
using Xunit.Abstractions;

namespace AudioStream.RecordingService.Tests;

public sealed class WriteCostTests(ITestOutputHelper output) : IDisposable
{
    private const int Rate = WavFormat.DefaultSampleRate;
    private const int Chunk = 960;
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Writing_a_minute_of_audio_costs_well_under_a_millisecond_of_cpu_per_second()
    {
        const int Seconds = 60;
        var pcm = Pcm.Ramp(0, Chunk);
        var path = folder.File("cost.wav");
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        using (var writer = WavRecordingWriter.Create(path))
        {
            for (long offset = 0; offset < (long)Rate * Seconds; offset += Chunk)
            {
                writer.Write(offset, pcm);
            }
            writer.Complete();
        }
        wall.Stop();
        // Process CPU includes other threads (GC, test host); an upper bound for the writer.
        var cpuPerSecond = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / Seconds;
        var wallPerSecond = wall.Elapsed.TotalMicroseconds / Seconds;
        output.WriteLine($"{Seconds} s of audio in {Seconds * Rate / Chunk} chunks, {Seconds} syncs: " +
            $"{cpuPerSecond:F0} µs CPU and {wallPerSecond:F0} µs wall per second of audio");

        Assert.Equal(WavFormat.HeaderSize + (long)Rate * Seconds * 2, new FileInfo(path).Length);
        Assert.True(cpuPerSecond < 20_000, $"{cpuPerSecond:F0} µs CPU per second of audio");
    }
}
