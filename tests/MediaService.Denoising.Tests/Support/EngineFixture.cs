using System.Collections.Concurrent;
using AudioStream.MediaService.Denoising.Hosting;
using AudioStream.MediaService.Denoising.Onnx;
using AudioStream.MediaService.Denoising.Streaming;

namespace AudioStream.MediaService.Denoising.Tests.Support;

/// <summary>Loads the model once for a test class and caches the clips and their whole-file outputs.</summary>
public sealed class EngineFixture : IDisposable
{
    private readonly Lazy<DeepFilterNetEngine?> _engine = new(() => TestAssets.Model.Found
        ? DeepFilterNetEngine.Load(new DenoiserOptions { ModelPath = TestAssets.Model.Directory, PreferGpu = false })
        : null);

    private readonly Lazy<StreamDenoiserFactory> _factory;
    private readonly ConcurrentDictionary<(string Clip, string File), float[]> _clips = new();
    private readonly ConcurrentDictionary<string, float[]> _wholeFile = new();

    public EngineFixture() =>
        _factory = new Lazy<StreamDenoiserFactory>(() => new StreamDenoiserFactory(Engine, new DenoiserOptions { Workers = 2 }));

    /// <summary>Frame-by-frame streams on the shared engine (two worker threads); skips the test when the model is absent.</summary>
    public StreamDenoiserFactory Streams => _factory.Value;

    /// <summary>A frame-by-frame stream that never passes audio through, however fast the test writes.</summary>
    public StatefulStreamDenoiser StatefulStream() => Streams.CreateStateful(double.PositiveInfinity);

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
        if (_factory.IsValueCreated)
        {
            _factory.Value.Dispose();
        }

        if (_engine.IsValueCreated)
        {
            _engine.Value?.Dispose();
        }
    }
}
