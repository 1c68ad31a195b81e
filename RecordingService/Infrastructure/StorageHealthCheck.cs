using AudioStream.RecordingService.Audio;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AudioStream.RecordingService.Infrastructure;

/// <summary>The storage root exists and has room: degraded under 1 GiB free (recordings would soon fail).</summary>
public sealed class StorageHealthCheck(RecordingStorage storage) : IHealthCheck
{
    private const long LowSpaceBytes = 1L << 30;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var free = new DriveInfo(storage.Root).AvailableFreeSpace;
            var data = new Dictionary<string, object> { ["root"] = storage.Root, ["freeBytes"] = free };
            return Task.FromResult(free < LowSpaceBytes
                ? HealthCheckResult.Degraded("Less than 1 GiB free for recordings.", data: data)
                : HealthCheckResult.Healthy(data: data));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The recordings folder cannot be read.", ex));
        }
    }
}
