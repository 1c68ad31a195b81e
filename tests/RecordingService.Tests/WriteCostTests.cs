using System.Diagnostics;
using AudioStream.RecordingService.Audio;
using AudioStream.RecordingService.Audio.Opus;
using Xunit.Abstractions;

namespace AudioStream.RecordingService.Tests;

public sealed class WriteCostTests(ITestOutputHelper output) : IDisposable
{
    private const int Rate = WavFormat.DefaultSampleRate;
    private const int Chunk = 960;
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Writing_a_minute_of_audio_costs_well_under_a_millisecond_of_cpu_per_second()
    {
        const int Seconds = 60;
        var pcm = Pcm.Ramp(0, Chunk);
        var path = _folder.File("cost.wav");
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

    [Fact]
    public void Encoding_a_minute_of_speech_to_ogg_opus_costs_a_small_part_of_a_core()
    {
        const int Seconds = 60;
        var speech = Enumerable.Range(0, Seconds * Rate / Chunk).Select(i => Speech.Pcm((long)i * Chunk, Chunk)).ToArray();
        // Warm up the JIT on a throwaway file first, so the figure is the steady state of a long recording.
        using (var warm = OggOpusWriter.Create(_folder.File("warm.opus")))
        {
            for (var i = 0; i < 250; i++)
            {
                warm.Write((long)i * Chunk, speech[i]);
            }
            warm.Complete();
        }
        var path = _folder.File("cost.opus");
        var thread = ThreadCpu();
        var wall = Stopwatch.StartNew();
        using (var writer = OggOpusWriter.Create(path))
        {
            for (var i = 0; i < speech.Length; i++)
            {
                writer.Write((long)i * Chunk, speech[i]);
            }
            writer.Complete();
        }
        wall.Stop();
        var cpuPerSecond = (ThreadCpu() - thread).TotalMicroseconds / Seconds;
        var bytesPerHour = new FileInfo(path).Length * 3600.0 / Seconds;
        output.WriteLine($"Ogg Opus at {OggOpusWriter.DefaultBitrate / 1000} kbit/s: {cpuPerSecond:F0} µs CPU (this thread) and " +
            $"{wall.Elapsed.TotalMicroseconds / Seconds:F0} µs wall per second of audio ({cpuPerSecond / 10_000:F2} % of a core per track); " +
            $"{bytesPerHour / 1e6:F1} MB per hour per track (WAV: {Rate * 2 * 3600 / 1e6:F0} MB)");

        // A loose bound: encoding must stay far from using the whole core a live track has 1 s to fill.
        Assert.True(cpuPerSecond < 250_000, $"{cpuPerSecond:F0} µs CPU per second of audio");
    }

    /// <summary>CPU time of the calling thread (Linux: /proc/thread-self/stat, utime + stime in clock ticks).</summary>
    private static TimeSpan ThreadCpu()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }
}
