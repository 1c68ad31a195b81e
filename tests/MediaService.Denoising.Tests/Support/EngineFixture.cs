using System.Collections.Concurrent;
using AudioStream.MediaService.Denoising.Hosting;
using AudioStream.MediaService.Denoising.Onnx;

namespace AudioStream.MediaService.Denoising.Tests.Support;

/// <summary>Loads the model once for a test class and caches the clips and their whole-file outputs.</summary>
public sealed class EngineFixture : IDisposable
{
    private readonly Lazy<DeepFilterNetEngine?> _engine = new(() => TestAssets.Model.Found
        ? DeepFilterNetEngine.Load(new DenoiserOptions { ModelPath = TestAssets.Model.Directory, PreferGpu = false })
        : null);

    private readonly ConcurrentDictionary<(string Clip, string File), float[]> _clips = new();
    private readonly ConcurrentDictionary<string, float[]> _wholeFile = new();

    /// <summary>The loaded engine; skips the test when the model is absent.</summary>
    public DeepFilterNetEngine Engine
    {
        get
        {
            TestAssets.RequireModel();
            return _engine.Value!;
        }
    }

    public float[] Clip(string clip, string file) => _clips.GetOrAdd((clip, file), key => TestAssets.ReadMono(key.Clip, key.File));

    public float[] WholeFile(string clip) => _wholeFile.GetOrAdd(clip, c => Engine.Denoise(Clip(c, "noisy.wav")));

    public void Dispose()
    {
        if (_engine.IsValueCreated)
        {
            _engine.Value?.Dispose();
        }
    }
}
