using AudioStream.RecordingService.Infrastructure;

namespace AudioStream.RecordingService.Extensions;

internal static class ApplicationServiceExtensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<RecordingDbContext>("recordingdb");
    }
}
