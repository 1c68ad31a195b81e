using AudioStream.PresenceService.Infrastructure;
using AudioStream.PresenceService.Realtime;
using AudioStream.ServiceDefaults;
using AudioStream.ServiceDefaults.Security;
using AudioStream.SocialService.Grpc;

namespace AudioStream.PresenceService.Extensions;

internal static class ApplicationServiceExtensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddSessionAuthentication();
        builder.Services.AddServiceGrpcClient<SocialGraph.SocialGraphClient>("social");
        builder.Services.AddSingleton<PresenceStore>();
        builder.Services.AddSingleton<FriendDirectory>();
        builder.Services.AddSingleton<PresenceHub>();
        builder.Services.AddHostedService<PresenceRelay>();
    }
}
