using AudioStream.MediaService.Denoising.Onnx;
using AudioStream.MediaService.Denoising.Streaming;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AudioStream.MediaService.Denoising.Hosting;

public static class DenoiserServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="DenoiserOptions"/> bound to <paramref name="section"/> (normally the <c>Denoiser</c>
    /// section), the <see cref="DeepFilterNetEngine"/> singleton (loaded at host start-up, so the execution provider is
    /// decided and logged before traffic arrives), <see cref="IStreamDenoiserFactory"/> and the <c>denoiser</c> health check.
    /// </summary>
    public static IServiceCollection AddDeepFilterNet(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        services.AddOptions<DenoiserOptions>().Bind(section);
        return services.AddDeepFilterNetCore();
    }

    public static IServiceCollection AddDeepFilterNet(this IServiceCollection services, Action<DenoiserOptions> configure)
    {
        services.AddOptions<DenoiserOptions>().Configure(configure);
        return services.AddDeepFilterNetCore();
    }

    private static IServiceCollection AddDeepFilterNetCore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddMetrics();
        services.AddSingleton(provider => DeepFilterNetEngine.Load(
            provider.GetRequiredService<IOptions<DenoiserOptions>>().Value,
            provider.GetRequiredService<ILoggerFactory>().CreateLogger<DeepFilterNetEngine>(),
            provider.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton<IStreamDenoiserFactory>(provider => new StreamDenoiserFactory(
            provider.GetRequiredService<DeepFilterNetEngine>(),
            provider.GetRequiredService<IOptions<DenoiserOptions>>().Value,
            provider.GetRequiredService<ILoggerFactory>()));
        services.AddHostedService<DenoiserStartup>();
        services.AddHealthChecks().AddCheck<DenoiserHealthCheck>(DenoiserHealthCheck.Name, HealthStatus.Degraded);
        return services;
    }

    /// <summary>Resolves the engine when the host starts, so loading and provider selection happen before the first stream.</summary>
    private sealed class DenoiserStartup(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) =>
            Task.Run(() => services.GetRequiredService<DeepFilterNetEngine>(), cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
