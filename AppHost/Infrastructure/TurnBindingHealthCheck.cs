using System.Net;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AudioStream.AppHost.Infrastructure;

/// <summary>A real round trip to the relay (a STUN Binding over UDP), not just an open port.</summary>
internal sealed class TurnBindingHealthCheck(LocalTurnResource turn) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await StunBinding.RoundTripAsync(new IPEndPoint(IPAddress.Loopback, turn.Port), TimeSpan.FromSeconds(2), cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"No STUN Binding response from 127.0.0.1:{turn.Port} within 2 s.");
}
