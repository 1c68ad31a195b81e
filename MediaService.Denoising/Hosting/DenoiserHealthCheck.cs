using AudioStream.MediaService.Denoising.Onnx;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AudioStream.MediaService.Denoising.Hosting;

/// <summary>
/// Healthy while the model runs (data: provider, device id, model path, available); Degraded, saying that denoising
/// is unavailable and audio passes through, when it does not. The service works either way.
/// </summary>
public sealed class DenoiserHealthCheck(DeepFilterNetEngine engine) : IHealthCheck
{
    public const string Name = "denoiser";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["provider"] = DenoiserMetrics.ProviderName(engine.Provider),
            ["deviceId"] = engine.DeviceId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
            ["modelPath"] = engine.ModelDirectory ?? "",
            ["available"] = engine.IsAvailable,
        };
        if (engine.IsAvailable)
        {
            data["frameByFrame"] = engine.Stateful is not null;
        }

        if (engine.StatefulUnavailableReason is not null)
        {
            data["frameByFrameUnavailable"] = engine.StatefulUnavailableReason;
        }

        if (engine.CudaFailure is not null)
        {
            data["cudaUnavailable"] = engine.CudaFailure;
        }

        var result = engine.IsAvailable
            ? HealthCheckResult.Healthy($"DeepFilterNet denoising on {DenoiserMetrics.ProviderName(engine.Provider)}", data)
            : HealthCheckResult.Degraded(engine.UnavailableReason ?? "Denoising unavailable; audio passes through unchanged.", data: data);
        return Task.FromResult(result);
    }
}
