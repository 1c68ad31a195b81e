using AudioStream.Gateway.Media;
using AudioStream.ServiceDefaults.Security;
using Yarp.ReverseProxy.Forwarder;

namespace AudioStream.Gateway.Extensions;

internal static class ApplicationServiceExtensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddSessionAuthentication();
        builder.AddTransportSecurity();
        builder.AddRateLimits();
        builder.Services.AddReverseProxy()
            .LoadFromMemory(ProxyRoutes.Routes, ProxyRoutes.Clusters)
            .AddServiceDiscoveryDestinationResolver();
        builder.Services.AddSingleton<IForwarderHttpClientFactory, NodeConnectTimeout>();
        builder.Services.AddSingleton<MediaRegistryReader>();
        builder.Services.AddSingleton<MediaNodeDirectory>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<MediaNodeDirectory>());
    }
}
