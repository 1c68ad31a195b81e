using AudioStream.MediaService.Denoising.Hosting;
using AudioStream.MediaService.Denoising.Onnx;
using AudioStream.MediaService.Denoising.Tests.Support;

namespace AudioStream.MediaService.Denoising.Tests.Onnx;

public sealed class ModelLoadingTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    [SkippableFact]
    public void Config_ini_of_the_export_gives_the_signal_parameters()
    {
        var directory = TestAssets.RequireModel();

        var config = DeepFilterNetConfig.Load(Path.Combine(directory, "config.ini"));

        Assert.Equal(new DeepFilterNetConfig(48_000, 960, 480, 32, 96, 1f, 2, 5, 2, 2), config);
    }

    [Fact]
    public void A_config_missing_a_key_names_it()
    {
        var error = Assert.Throws<InvalidDataException>(() => DeepFilterNetConfig.Parse("[df]\nsr = 48000\n"));
        Assert.Contains("[df] fft_size", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_explicit_model_path_wins_over_the_lookup()
    {
        var location = ModelLocator.Locate("DeepFilterNet3_onnx", "/nonexistent/model", "/tmp", AppContext.BaseDirectory);

        Assert.False(location.Found);
        Assert.Equal(["/nonexistent/model"], location.Searched);
    }

    [SkippableFact]
    public void The_lookup_finds_shared_models_walking_up_from_the_test_binaries()
    {
        var directory = TestAssets.RequireModel();

        var location = ModelLocator.Locate(TestAssets.ModelName, null, "/", AppContext.BaseDirectory);

        Assert.Equal(directory, location.Directory);
        Assert.Contains(Path.Combine("shared", "models", TestAssets.ModelName), location.Directory, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_model_files_the_engine_loads_and_says_denoising_is_unavailable()
    {
        using var engine = DeepFilterNetEngine.Load(new DenoiserOptions { ModelName = "NoSuchModel_onnx" });

        Assert.False(engine.IsAvailable);
        Assert.Equal(ExecutionProvider.None, engine.Provider);
        Assert.Contains("Denoising unavailable", engine.UnavailableReason, StringComparison.Ordinal);
        Assert.Contains("NoSuchModel_onnx", engine.UnavailableReason, StringComparison.Ordinal);
        float[] input = [0.1f, 0.2f];
        Assert.Equal(input, engine.Denoise(input));
    }

    [SkippableFact]
    public void The_engine_runs_on_cpu_here_and_reports_it()
    {
        var engine = fixture.Engine;

        Assert.True(engine.IsAvailable);
        Assert.Equal(ExecutionProvider.Cpu, engine.Provider);
        Assert.Null(engine.DeviceId);
    }

    [SkippableFact]
    public void Preferring_the_gpu_falls_back_to_cpu_when_cuda_cannot_start()
    {
        var directory = TestAssets.RequireModel();

        using var engine = DeepFilterNetEngine.Load(new DenoiserOptions { ModelPath = directory, PreferGpu = true });

        Assert.True(engine.IsAvailable);
        if (engine.Provider == ExecutionProvider.Cpu)
        {
            Assert.NotNull(engine.CudaFailure);
        }
        else
        {
            Assert.Equal(0, engine.DeviceId);
        }
    }

    [SkippableFact]
    public async Task Concurrent_whole_buffer_calls_give_the_same_output_as_one()
    {
        var noisy = fixture.Clip("dns-02", "noisy.wav")[..48_000];
        var expected = fixture.Engine.Denoise(noisy);

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => fixture.Engine.Denoise(noisy))));

        Assert.All(results, r => Assert.Equal(expected, r));
    }
}
