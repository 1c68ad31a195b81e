using AudioStream.MediaService.Infrastructure;

namespace AudioStream.MediaService.Extensions;

internal static class ApplicationServiceExtensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<MediaDbContext>("mediadb");
    }
}
