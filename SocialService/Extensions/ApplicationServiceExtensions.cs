using AudioStream.SocialService.Infrastructure;

namespace AudioStream.SocialService.Extensions;

internal static class ApplicationServiceExtensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<SocialDbContext>("socialdb");
    }
}
