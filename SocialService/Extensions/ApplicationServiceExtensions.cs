using AudioStream.IdentityService.Grpc;
using AudioStream.ServiceDefaults;
using AudioStream.ServiceDefaults.Security;
using AudioStream.SocialService.Infrastructure;

namespace AudioStream.SocialService.Extensions;

internal static class ApplicationServiceExtensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<SocialDbContext>("socialdb");
        builder.AddSessionAuthentication();
        builder.Services.AddGrpc();
        builder.Services.AddServiceGrpcClient<UserDirectory.UserDirectoryClient>("identity");
        builder.Services.AddScoped<MemberDirectory>();
        builder.Services.AddScoped<FriendGraph>();
    }
}
