using AudioStream.MediaService.WebRtc;

namespace AudioStream.MediaService.Infrastructure;

/// <summary>Binds the WebRTC UDP socket when the host starts (not on the first request) and says where it listens.</summary>
internal sealed class WebRtcEndpointHost(WebRtcEndpoint endpoint, ILogger<WebRtcEndpointHost> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation(
            "WebRTC (ICE-lite, DTLS-SRTP, Opus) on UDP {LocalEndPoint}, advertised as {Address}:{Port}",
            endpoint.LocalEndPoint, endpoint.Options.AdvertisedAddress, endpoint.Options.AdvertisedPort ?? endpoint.LocalEndPoint.Port);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
