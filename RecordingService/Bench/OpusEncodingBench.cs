using System.Diagnostics;
using System.Globalization;
using AudioStream.RecordingService.Audio;
using AudioStream.RecordingService.Audio.Opus;

namespace AudioStream.RecordingService.Bench;

/// <summary>
/// <c>RecordingService bench [--seconds N] [--bitrate BPS] [WAV...]</c>: records each WAV (48 kHz mono 16-bit; looped
/// to N seconds, 600 by default) as a live track would be, 20 ms chunks into <see cref="OggOpusWriter"/> with its
/// page-per-second flushes, then decodes it back as <c>?format=wav</c> does, and prints CPU per second of audio,
/// the share of one core per recorded track, and the storage per hour against 16-bit WAV.
/// </summary>
public static class OpusEncodingBench
{
    private const int Chunk = 960;
    private const string Usage = "usage: RecordingService bench [--seconds N] [--bitrate BPS] [WAV...] (48 kHz mono 16-bit WAVs; default ../shared/audio/*/{noisy,df2_pf}.wav)";

    public static int Run(string[] args)
    {
        var seconds = 600;
        var bitrate = OggOpusWriter.DefaultBitrate;
        var inputs = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seconds" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out seconds) && seconds > 0:
                case "--bitrate" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out bitrate) && bitrate >= 6000:
                    i++;
                    break;
                case var path when !path.StartsWith("--", StringComparison.Ordinal) && File.Exists(path):
                    inputs.Add(path);
                    break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 1;
            }
        }
        if (inputs.Count == 0)
        {
            var shared = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../shared/audio"));
            inputs.AddRange(Directory.Exists(shared)
                ? Directory.EnumerateFiles(shared, "*.wav", SearchOption.AllDirectories).Where(p => Path.GetFileName(p) is "noisy.wav" or "df2_pf.wav").Order()
                : []);
        }
        if (inputs.Count == 0)
        {
            Console.Error.WriteLine(Usage);
            return 1;
        }

        var folder = Directory.CreateTempSubdirectory("opus-bench-");
        try
        {
            // JIT warm-up on a few seconds, so the figures are a long recording's steady state.
            Measure(inputs[0], 5, bitrate, folder.FullName);
            Console.WriteLine($"Ogg Opus at {bitrate / 1000} kbit/s, {seconds} s per input, 20 ms chunks, a page flushed every second:");
            Console.WriteLine("input | encode CPU per s of audio | share of one core per track | decode (?format=wav) CPU per s | MB per hour per track (WAV: 345.6)");
            foreach (var input in inputs)
            {
                var result = Measure(input, seconds, bitrate, folder.FullName);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{Path.GetFileName(Path.GetDirectoryName(input))}/{Path.GetFileName(input)} | {result.EncodeMsPerSecond:F2} ms | {result.EncodeMsPerSecond / 10:F2} % | {result.DecodeMsPerSecond:F2} ms | {result.MegabytesPerHour:F1} ({345.6 / result.MegabytesPerHour:F0}x smaller)"));
            }
            return 0;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static (double EncodeMsPerSecond, double DecodeMsPerSecond, double MegabytesPerHour) Measure(string input, int seconds, int bitrate, string folder)
    {
        byte[] pcm;
        using (var reader = new WavRecordingReader(input))
        {
            if (reader.SampleRate != OggOpusWriter.SampleRate)
            {
                throw new InvalidDataException($"{input} is not 48 kHz.");
            }
            var samples = new short[reader.Samples];
            reader.Read(samples);
            pcm = new byte[samples.Length * 2];
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(samples.AsSpan()).CopyTo(pcm);
        }
        var total = (long)seconds * OggOpusWriter.SampleRate;
        var path = Path.Combine(folder, $"{Guid.NewGuid():N}.opus");

        var before = Environment.CpuUsage.TotalTime;
        using (var writer = OggOpusWriter.Create(path, bitrate))
        {
            var chunkBytes = Chunk * 2;
            for (long offset = 0; offset < total; offset += Chunk)
            {
                var at = (int)(offset * 2 % (pcm.Length - (pcm.Length % chunkBytes)));
                writer.Write(offset, pcm.AsSpan(at, chunkBytes));
            }
            writer.Complete();
        }
        var encode = Environment.CpuUsage.TotalTime - before;

        before = Environment.CpuUsage.TotalTime;
        var buffer = new short[16 * 1024];
        using (var reader = new OggOpusReader(path))
        {
            while (reader.Read(buffer) > 0)
            {
            }
        }
        var decode = Environment.CpuUsage.TotalTime - before;

        var bytes = new FileInfo(path).Length;
        File.Delete(path);
        return (encode.TotalMilliseconds / seconds, decode.TotalMilliseconds / seconds, bytes * 3600.0 / seconds / 1e6);
    }
}
