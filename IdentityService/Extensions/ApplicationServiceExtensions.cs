using AudioStream.IdentityService.Infrastructure;

namespace AudioStream.IdentityService.Extensions;

internal static class ApplicationServiceExtensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<IdentityDbContext>("identitydb");
    }
}
