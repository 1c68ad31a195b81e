using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;

namespace AudioStream.ServiceDefaults.Security;

/// <summary>
/// The gateway is the one public origin: it terminates HTTPS and passes each request on with X-Forwarded-For, -Proto
/// and -Host (YARP replaces whatever a client sent). A service applies those headers only when the connection comes
/// from the gateway's address, so a request's scheme (the session cookie's <c>Secure</c> flag), client address and
/// host (same-origin checks) are what the browser used. The gateway runs beside the services and reaches them over
/// loopback; nothing else is trusted to speak for a client.
/// </summary>
public static class GatewayForwardedHeaders
{
    public static IReadOnlyList<IPAddress> GatewayAddresses { get; } = [IPAddress.Loopback, IPAddress.IPv6Loopback];

    public static IServiceCollection AddGatewayForwardedHeaders(this IServiceCollection services) =>
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            // One hop: the gateway's own entry; anything a client put in front of it is not believed.
            options.ForwardLimit = 1;
            options.KnownIPNetworks.Clear();
            options.KnownProxies.Clear();
            foreach (var address in GatewayAddresses)
            {
                options.KnownProxies.Add(address);
            }
        });

    public static WebApplication UseGatewayForwardedHeaders(this WebApplication app)
    {
        app.UseForwardedHeaders();
        return app;
    }
}
