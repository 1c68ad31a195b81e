using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using AudioStream.MediaService.Denoising.Hosting;
using AudioStream.MediaService.Denoising.Onnx;
using AudioStream.MediaService.Denoising.Streaming;
using AudioStream.MediaService.Denoising.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AudioStream.MediaService.Denoising.Tests.Hosting;

public sealed class HostingTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    [Fact]
    public void Configuration_section_binds_to_options()
    {
        using var provider = Build(new()
        {
            ["Denoiser:ModelName"] = "NoSuchModel_onnx",
            ["Denoiser:Mode"] = "chunked",
            ["Denoiser:ChunkSeconds"] = "1.5",
            ["Denoiser:OverlapSeconds"] = "0.25",
            ["Denoiser:CudaDeviceId"] = "1",
            ["Denoiser:PreferGpu"] = "false",
        });

        var options = provider.GetRequiredService<IOptions<DenoiserOptions>>().Value;
        var factory = provider.GetRequiredService<IStreamDenoiserFactory>();

        Assert.Equal("NoSuchModel_onnx", options.ModelName);
        Assert.Equal(1, options.CudaDeviceId);
        Assert.False(options.PreferGpu);
        Assert.Equal("chunked", options.Mode);
        Assert.Equal(new ChunkSettings(1.5, 0.25, 0.2), Assert.IsType<StreamDenoiserFactory>(factory).ChunkSettings);
        Assert.Equal(DenoiserModes.PassThrough, factory.Mode);
        Assert.Same(provider.GetRequiredService<DeepFilterNetEngine>(), factory.Engine);
    }

    [Fact]
    public async Task Without_a_model_health_is_degraded_and_says_denoising_is_unavailable()
    {
        using var provider = Build(new() { ["Denoiser:ModelName"] = "NoSuchModel_onnx" });

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var entry = report.Entries[DenoiserHealthCheck.Name];
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains("Denoising unavailable", entry.Description, StringComparison.Ordinal);
        Assert.Equal(false, entry.Data["available"]);
        Assert.Equal("none", entry.Data["provider"]);
    }

    [SkippableFact]
    public async Task With_the_model_health_reports_provider_device_and_model_path()
    {
        var check = new DenoiserHealthCheck(fixture.Engine);

        var result = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal("cpu", result.Data["provider"]);
        Assert.Equal("", result.Data["deviceId"]);
        Assert.Equal(TestAssets.Model.Directory, result.Data["modelPath"]);
        Assert.Equal(true, result.Data["available"]);
    }

    [Fact]
    public void The_meter_reports_the_provider_and_the_real_time_factor()
    {
        // Other tests in this assembly run engines at the same time and report on the same meter: collect concurrently.
        var measurements = new ConcurrentQueue<(string Instrument, double Value, string? Provider)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == DenoiserMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) =>
            measurements.Enqueue((i.Name, v, tags.ToArray().FirstOrDefault(t => t.Key == "provider").Value as string)));
        listener.SetMeasurementEventCallback<double>((i, v, _, _) => measurements.Enqueue((i.Name, v, null)));
        listener.Start();

        using var engine = DeepFilterNetEngine.Load(new DenoiserOptions { ModelName = "NoSuchModel_onnx" });
        listener.RecordObservableInstruments();

        Assert.Contains(("audiostream.denoiser.provider", 0, "none"), measurements);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddDeepFilterNet(configuration.GetSection(DenoiserOptions.SectionName));
        return services.BuildServiceProvider();
    }
}
