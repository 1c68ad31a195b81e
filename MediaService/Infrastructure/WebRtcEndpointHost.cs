using AudioStream.MediaService.WebRtc;
using AudioStream.MediaService.WebRtc.Opus;

namespace AudioStream.MediaService.Infrastructure;

/// <summary>
/// Binds the WebRTC UDP socket when the host starts (not on the first request), says where it listens, and warms the
/// Opus codec up so the first listener's audio does not stall while it compiles.
/// </summary>
internal sealed class WebRtcEndpointHost(WebRtcEndpoint endpoint, ILogger<WebRtcEndpointHost> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // With "auto" the addresses are read again for every offer; this is what a browser elsewhere would be told now.
        logger.LogInformation(
            "WebRTC (ICE-lite, DTLS-SRTP, Opus) on UDP {LocalEndPoint} and TCP {TcpEndPoint}, advertised ({Mode}) as {Candidates}",
            endpoint.LocalEndPoint,
            endpoint.TcpLocalEndPoint?.ToString() ?? "(off)",
            endpoint.Options.AdvertisesEveryAddress ? "every address" : "configured",
            string.Join(", ", endpoint.GetHostCandidates().Select(c => $"{c.Transport} {c.Address}:{c.Port}")));
        logger.LogInformation("Opus codec warmed up in {Milliseconds:F0} ms", OpusWarmUp.Run().TotalMilliseconds);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
