using AudioStream.ServiceDefaults.Security;

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
    }
}
