using AudioStream.MediaService.Denoising.Audio;
using AudioStream.MediaService.Denoising.CommandLine;
using AudioStream.MediaService.Denoising.Tests.Audio;
using AudioStream.MediaService.Denoising.Tests.Support;

namespace AudioStream.MediaService.Denoising.Tests.CommandLine;

public sealed class CommandLineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("denoise-cli-").FullName;

    [Theory]
    [InlineData]
    [InlineData("serve")]
    [InlineData("--urls", "http://localhost")]
    public async Task Other_arguments_are_left_to_the_host(params string[] args) =>
        Assert.Null(await DenoiserCommandLine.TryRunAsync(args));

    [Fact]
    public async Task A_non_wav_input_is_a_clear_error_with_a_non_zero_exit()
    {
        var input = Path.Combine(_directory, "notes.wav");
        await File.WriteAllTextAsync(input, "this is not audio");
        var error = new StringWriter();

        var code = await DenoiserCommandLine.TryRunAsync(["denoise", input, Path.Combine(_directory, "out.wav")], TextWriter.Null, error);

        Assert.Equal(DenoiserCommandLine.Failure, code);
        Assert.Contains("not a RIFF/WAVE file", error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory, "out.wav")));
    }

    [Fact]
    public async Task Bad_usage_prints_usage_and_exits_2()
    {
        var error = new StringWriter();

        var code = await DenoiserCommandLine.TryRunAsync(["denoise", "--whole", "--chunk", "1", "a.wav", "b.wav"], TextWriter.Null, error);

        Assert.Equal(DenoiserCommandLine.UsageError, code);
        Assert.Contains("usage:", error.ToString(), StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("--whole")]
    [InlineData("--chunk", "1.0", "--overlap", "0.25")]
    public async Task Denoise_writes_48k_mono_pcm16_of_the_input_duration(params string[] mode)
    {
        var model = TestAssets.RequireModel();
        // Stereo float at 44.1 kHz: exercises downmix and resampling too.
        var frames = 44_100 * 3 / 2;
        var data = Enumerable.Range(0, frames * 2).Select(i => 0.1f * MathF.Sin(i * 0.001f)).ToArray();
        var input = Path.Combine(_directory, "in.wav");
        await File.WriteAllBytesAsync(input, WavTests.Build(3, 2, 44_100, 32, data));
        var outputPath = Path.Combine(_directory, "out.wav");
        var output = new StringWriter();

        var code = await DenoiserCommandLine.TryRunAsync(["denoise", "--model", model, "--cpu", .. mode, input, outputPath], output, output);

        Assert.True(code == 0, output.ToString());
        var written = WavReader.Read(outputPath);
        Assert.Equal((48_000, 1, WavSampleFormat.Pcm, 16), (written.SampleRate, written.Channels, written.Format, written.BitsPerSample));
        Assert.Equal(72_000, written.Frames);
        Assert.Contains("resampled 44100 Hz to 48000 Hz", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_model_denoise_says_so_and_fails()
    {
        var input = Path.Combine(_directory, "in.wav");
        await File.WriteAllBytesAsync(input, WavTests.Build(1, 1, 48_000, 16, new float[4800]));
        var error = new StringWriter();

        var code = await DenoiserCommandLine.TryRunAsync(
            ["denoise", "--model", Path.Combine(_directory, "missing"), input, Path.Combine(_directory, "out.wav")], TextWriter.Null, error);

        Assert.Equal(DenoiserCommandLine.Unavailable, code);
        Assert.Contains("Denoising unavailable", error.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
