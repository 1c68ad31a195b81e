using AudioStream.MediaService.Grpc;
using AudioStream.RecordingService.Audio;
using AudioStream.RecordingService.Grpc;
using AudioStream.RecordingService.Infrastructure;
using AudioStream.RecordingService.Live;
using AudioStream.ServiceDefaults;
using AudioStream.ServiceDefaults.Security;
using AudioStream.SocialService.Grpc;

namespace AudioStream.RecordingService.Extensions;

internal static class ApplicationServiceExtensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<RecordingDbContext>("recordingdb");
        builder.AddSessionAuthentication();
        builder.Services.AddServiceGrpcClient<SocialGraph.SocialGraphClient>("social");
        // A live subscription lasts as long as the stream: no per-call timeout or retry from the HTTP resilience defaults.
        builder.Services.AddServiceGrpcClient<MediaStream.MediaStreamClient>("media")
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan);
        builder.Services.AddScoped<RecordingAccess>();

        var defaultRoot = Path.GetFullPath(Path.Combine(builder.Environment.ContentRootPath, "..", ".data", "recordings"));
        builder.Services.AddOptions<RecordingStorageOptions>()
            .Bind(builder.Configuration.GetSection(RecordingStorageOptions.SectionName))
            .PostConfigure(options =>
            {
                if (string.IsNullOrWhiteSpace(builder.Configuration[$"{RecordingStorageOptions.SectionName}:StorageRoot"]))
                {
                    options.StorageRoot = defaultRoot;
                }
            });
        builder.Services.AddSingleton<RecordingStorage>();
        builder.Services.AddOptions<RecordingLimitsOptions>().Bind(builder.Configuration.GetSection(RecordingLimitsOptions.SectionName));
        builder.Services.AddSingleton<RecordingLimits>();
        builder.Services.AddSingleton<RecordingMetrics>();
        builder.Services.AddSingleton<RecordingEvents>();
        builder.Services.AddSingleton<MediaNodeClients>();
        builder.Services.AddSingleton<ILiveAudioSource, GrpcLiveAudioSource>();
        builder.Services.AddSingleton<RecordingLeases>();
        builder.Services.AddSingleton<RecordingRecovery>();
        builder.Services.AddSingleton<LiveRecorder>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<LiveRecorder>());
        builder.Services.AddHostedService<MediaEventListener>();
        builder.Services.AddSingleton<ILiveStreamDirectory, GrpcLiveStreamDirectory>();
        builder.Services.AddHostedService<RecordingClaims>();
        builder.Services.AddHealthChecks().AddCheck<StorageHealthCheck>("recordings-storage");
    }
}
