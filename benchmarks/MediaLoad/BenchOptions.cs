using System.Globalization;

namespace AudioStream.Benchmarks.MediaLoad;

internal sealed record BenchOptions
{
    public Uri Gateway { get; init; } = new("http://localhost:8080");

    /// <summary>Stream counts to try, each stream with one listener; stops after the first that loses audio.</summary>
    public int[] Streams { get; init; } = [1, 4, 8, 16, 24, 32];

    /// <summary>Listener counts on one stream.</summary>
    public int[] Listeners { get; init; } = [1, 50, 100, 200];

    /// <summary>Streams whose listener decodes (for latency); the other listeners only count packets, to spare the CPU.</summary>
    public int DecodingListeners { get; init; } = 4;

    public bool Denoise { get; init; } = true;

    public double Seconds { get; init; } = 20;

    /// <summary>The media nodes' processes whose CPU is summed; empty: every process named MediaService.</summary>
    public IReadOnlyList<int> MediaPids { get; init; } = [];

    public string? AudioPath { get; init; }

    public string? ReferencePath { get; init; }

    public bool SkipStreams { get; init; }

    public bool SkipListeners { get; init; }

    public const string Usage = """
        MediaLoad: live-audio load through the gateway with C# WebRTC clients (needs ./run.sh running).
          --gateway URL        default http://localhost:8080
          --streams 1,4,8      stream counts (one listener each); stops after the first step that loses audio
          --listeners 1,50,100 listener counts on one stream
          --decoding N         in the streams ramp, the first N streams' listeners decode for latency (default 4)
          --no-denoise         streams without the denoiser (WebRTC path alone)
          --seconds N          measured seconds per step (default 20)
          --media-pid PID,...  MediaService processes, CPU summed (default: every process named MediaService, all nodes)
          --audio WAV          what broadcasters send (default ../shared/audio/dns-01/noisy.wav, looped)
          --reference WAV      what listeners should hear, for latency alignment (default: df2_pf.wav beside it when denoising)
          --only streams|listeners
        """;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--gateway" => options with { Gateway = new Uri(Next()) },
                "--streams" => options with { Streams = Counts(Next()) },
                "--listeners" => options with { Listeners = Counts(Next()) },
                "--decoding" => options with { DecodingListeners = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--no-denoise" => options with { Denoise = false },
                "--seconds" => options with { Seconds = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--media-pid" => options with { MediaPids = Counts(Next()) },
                "--audio" => options with { AudioPath = Next() },
                "--reference" => options with { ReferencePath = Next() },
                "--only" => Next() switch
                {
                    "streams" => options with { SkipListeners = true },
                    "listeners" => options with { SkipStreams = true },
                    var other => throw new ArgumentException($"--only streams|listeners, not {other}"),
                },
                _ => throw new ArgumentException($"unknown argument {args[i]}"),
            };
        }

        return options;
    }

    private static int[] Counts(string list) =>
        [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).Where(n => n > 0)];
}
