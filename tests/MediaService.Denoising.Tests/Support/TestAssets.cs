using AudioStream.Testing;
using AudioStream.MediaService.Denoising.Audio;
using AudioStream.MediaService.Denoising.Onnx;

namespace AudioStream.MediaService.Denoising.Tests.Support;

/// <summary>The shared model and clips (never copied into the repository), found relative to the checkout.</summary>
public static class TestAssets
{
    public const string ModelName = "DeepFilterNet3_onnx";

    public static readonly string[] Clips = ["dns-01", "dns-02", "dns-03"];

    public static ModelLocation Model { get; } = ModelLocator.Locate(ModelName, explicitPath: null);

    /// <summary>Skips the calling test, naming what was looked for, when the model export is absent.</summary>
    public static string RequireModel()
    {
        Skip.IfNot(Model.Found, $"DeepFilterNet model not found; looked in {string.Join(", ", Model.Searched)}");
        return Model.Directory!;
    }

    public static string? AudioDirectory => SharedAudio.Directory;

    public static string ClipPath(string clip, string file)
    {
        Skip.If(AudioDirectory is null, "Test audio not found: no ../shared/audio above " + AppContext.BaseDirectory);
        return Path.Combine(AudioDirectory!, clip, file);
    }

    public static float[] ReadMono(string clip, string file) => Resampler.ToMono(WavReader.Read(ClipPath(clip, file)), 48_000);
}
