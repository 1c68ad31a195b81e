using AudioStream.Benchmarks.MediaLoad;
using AudioStream.Testing;

// Live-audio load through the gateway with C# WebRTC clients; see BenchOptions.Usage and the README's Benchmarks.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

var audioPath = options.AudioPath ?? SharedAudio.Find(Path.Combine("dns-01", "noisy.wav"));
var referencePath = options.ReferencePath
    ?? (options.Denoise && audioPath is not null ? Path.Combine(Path.GetDirectoryName(audioPath)!, "df2_pf.wav") : audioPath);
if (audioPath is null || !File.Exists(audioPath) || referencePath is null || !File.Exists(referencePath))
{
    Console.Error.WriteLine("No audio: pass --audio (and --reference), or keep ../shared/audio beside the repository.");
    return 2;
}

var mediaPids = options.MediaPids.Count > 0 ? options.MediaPids : ProcessCpu.FindMediaServices();
if (mediaPids.Count == 0)
{
    Console.Error.WriteLine("No MediaService process found: start the app with ./run.sh, or pass --media-pid.");
    return 2;
}

var audio = AudioSource.Load(audioPath, referencePath);
Console.WriteLine($"MediaLoad → {options.Gateway} (MediaService pid {string.Join(", ", mediaPids)}: CPU summed over {mediaPids.Count} node(s); {Environment.ProcessorCount} cores), sending {audioPath} looped");
await using var runner = new LoadRunner(options, audio, mediaPids, Console.Out);
await runner.PrepareAsync(Math.Max(1, options.SkipStreams ? 1 : options.Streams.DefaultIfEmpty(1).Max()));
if (!options.SkipStreams)
{
    await runner.RunStreamsAsync();
}

if (!options.SkipListeners)
{
    await runner.RunListenersAsync();
}

return 0;
