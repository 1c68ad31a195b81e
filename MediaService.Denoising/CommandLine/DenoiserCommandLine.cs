using System.Diagnostics;
using System.Globalization;
using AudioStream.MediaService.Denoising.Audio;
using AudioStream.MediaService.Denoising.Hosting;
using AudioStream.MediaService.Denoising.Onnx;
using AudioStream.MediaService.Denoising.Streaming;

namespace AudioStream.MediaService.Denoising.CommandLine;

/// <summary>
/// Command-line verbs over the same engine the service uses. From a Program.cs:
/// <c>if (await DenoiserCommandLine.TryRunAsync(args) is int code) return code;</c>
/// </summary>
public static class DenoiserCommandLine
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UsageError = 2;
    public const int Unavailable = 3;

    public const string Usage = """
        usage:
          denoise [--model DIR] [--streaming | --whole | --chunked [--chunk SECONDS] [--overlap SECONDS] [--context SECONDS]] [--cpu] [--device N] IN.wav OUT.wav
              Denoises IN.wav (16/24/32-bit PCM or float, any rate, any channels: downmixed to mono and
              resampled to 48 kHz by Kaiser-windowed sinc) into OUT.wav (16-bit PCM, 48 kHz, mono, same duration).
              Default (--streaming): frame by frame with the model's state carried, as live streams are (falls back
              to chunks, saying why, when the export cannot be rewritten). --whole: one call over the file.
              --chunked: the seed's chunks (2.0 s, 0.5 s crossfade, 0.2 s context unless given).
          bench [--model DIR] [--cpu] [--device N] [--seconds N] [--input IN.wav]
              Real-time factors (whole file, frame by frame for 1 stream and batched for 8 / 32 / 64, chunked),
              the number of concurrent real-time streams this machine sustains, memory per stream, and the
              execution provider.
        """;

    private static readonly HashSet<string> Verbs = new(StringComparer.Ordinal) { "denoise", "bench" };

    /// <summary>Runs a denoiser verb and returns its exit code, or null when <c>args[0]</c> is not one of its verbs.</summary>
    public static async Task<int?> TryRunAsync(
        string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0 || !Verbs.Contains(args[0]))
        {
            return null;
        }

        output ??= Console.Out;
        error ??= Console.Error;
        try
        {
            return args[0] switch
            {
                "denoise" => await DenoiseAsync(args[1..], output, error),
                _ => await DenoiserBench.RunAsync(args[1..], output, cancellationToken),
            };
        }
        catch (UsageException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            await error.WriteLineAsync(Usage);
            return UsageError;
        }
        catch (InvalidDataException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return Failure;
        }
        catch (IOException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return Failure;
        }
        catch (UnauthorizedAccessException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return Failure;
        }
    }

    internal static DenoiserOptions EngineOptions(CommandLineArguments args) => new()
    {
        ModelPath = args.Value("--model"),
        PreferGpu = !args.Has("--cpu"),
        CudaDeviceId = args.Integer("--device") ?? 0,
    };

    private static async Task<int> DenoiseAsync(string[] argv, TextWriter output, TextWriter error)
    {
        var args = CommandLineArguments.Parse(argv,
            new HashSet<string> { "--streaming", "--whole", "--chunked", "--cpu" },
            new HashSet<string> { "--model", "--chunk", "--overlap", "--context", "--device" });
        if (args.Positional.Count != 2)
        {
            throw new UsageException("denoise needs IN.wav and OUT.wav.");
        }

        var (inputPath, outputPath) = (args.Positional[0], args.Positional[1]);
        var chunkOptions = args.Has("--chunk") || args.Has("--overlap") || args.Has("--context");
        var chunked = args.Has("--chunked") || chunkOptions;
        if (new[] { args.Has("--streaming"), args.Has("--whole"), chunked }.Count(x => x) > 1)
        {
            throw new UsageException("Choose one of --streaming, --whole and --chunked (--chunk, --overlap and --context go with --chunked).");
        }

        var preset = ChunkSettings.Default;
        var settings = preset with
        {
            ChunkSeconds = args.Seconds("--chunk") ?? preset.ChunkSeconds,
            OverlapSeconds = args.Seconds("--overlap") ?? preset.OverlapSeconds,
            ContextSeconds = args.Seconds("--context") ?? preset.ContextSeconds,
        };

        var audio = WavReader.Read(inputPath);
        using var engine = DeepFilterNetEngine.Load(EngineOptions(args));
        if (!engine.IsAvailable)
        {
            await error.WriteLineAsync($"error: {engine.UnavailableReason}");
            return Unavailable;
        }

        if (chunked)
        {
            try
            {
                settings.Validate(engine.SampleRate);
            }
            catch (ArgumentException ex)
            {
                throw new UsageException(ex.Message);
            }
        }

        var samples = Resampler.ToMono(audio, engine.SampleRate);
        var conversions = new List<string>();
        if (audio.Channels > 1)
        {
            conversions.Add($"downmixed {audio.Channels} channels");
        }

        if (audio.SampleRate != engine.SampleRate)
        {
            conversions.Add($"resampled {audio.SampleRate} Hz to {engine.SampleRate} Hz (Kaiser-windowed sinc)");
        }

        if (!args.Has("--whole") && !chunked && engine.Stateful is null)
        {
            conversions.Add($"chunked: frame-by-frame streaming is unavailable ({engine.StatefulUnavailableReason})");
            chunked = true;
        }

        var started = Stopwatch.GetTimestamp();
        var denoised = args.Has("--whole") ? engine.Denoise(samples)
            : chunked ? DenoiseChunked(engine, samples, settings)
            : await DenoiseStatefulAsync(engine, samples);
        var elapsed = Stopwatch.GetElapsedTime(started);
        WavWriter.WritePcm16(outputPath, denoised, engine.SampleRate);

        var seconds = (double)samples.Length / engine.SampleRate;
        var mode = args.Has("--whole") ? "whole file"
            : chunked ? string.Create(CultureInfo.InvariantCulture,
                $"chunks of {settings.ChunkSeconds} s, overlap {settings.OverlapSeconds} s, context {settings.ContextSeconds} s")
            : "frame by frame (stateful streaming)";
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{outputPath}: {seconds:F2} s, {mode}{(conversions.Count > 0 ? "; " + string.Join(", ", conversions) : "")}; " +
            $"{DenoiserMetrics.ProviderName(engine.Provider)}, {elapsed.TotalMilliseconds:F0} ms (RTF {elapsed.TotalSeconds / Math.Max(seconds, 1e-9):F3})"));
        return Success;
    }

    /// <summary>A whole signal through one frame-by-frame stream (what a live stream outputs for the same audio).</summary>
    internal static async Task<float[]> DenoiseStatefulAsync(DeepFilterNetEngine engine, float[] samples)
    {
        using var factory = new StreamDenoiserFactory(engine, new DenoiserOptions { Workers = 1 });
        await using var stream = factory.CreateStateful(double.PositiveInfinity);
        var output = new float[samples.Length];
        var collected = Task.Run(async () =>
        {
            await foreach (var block in stream.Output.ReadAllAsync())
            {
                block.Samples.CopyTo(output.AsSpan((int)block.SampleOffset));
            }
        });
        stream.Write(samples);
        stream.Complete();
        await collected;
        return output;
    }

    /// <summary>The streaming denoiser's chunking, run synchronously over a whole signal (same output as a live stream).</summary>
    internal static float[] DenoiseChunked(DeepFilterNetEngine engine, float[] samples, ChunkSettings settings)
    {
        var rate = engine.SampleRate;
        var output = new float[samples.Length];
        var written = 0;
        var scheduler = new ChunkScheduler(
            settings.ChunkSamples(rate), settings.OverlapSamples(rate), settings.ContextSamples(rate),
            settings.LookaheadSamples(rate), engine.Denoise);
        void Sink(ReadOnlySpan<float> block)
        {
            block.CopyTo(output.AsSpan(written));
            written += block.Length;
        }

        scheduler.Append(samples);
        scheduler.Flush(Sink);
        return output;
    }
}
