using AudioStream.MediaService.Apis;
using AudioStream.MediaService.Denoising.Hosting;
using AudioStream.MediaService.Denoising.Streaming;
using AudioStream.MediaService.Infrastructure;
using AudioStream.MediaService.Live;
using AudioStream.MediaService.Nodes;
using AudioStream.MediaService.Security;
using AudioStream.MediaService.WebRtc;
using AudioStream.ServiceDefaults;
using AudioStream.ServiceDefaults.Security;
using AudioStream.SocialService.Grpc;

namespace AudioStream.MediaService.Extensions;

internal static class ApplicationServiceExtensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var denoiser = builder.Configuration.GetSection(DenoiserOptions.SectionName);
        if (string.Equals(denoiser[nameof(DenoiserOptions.Mode)], DenoiserModes.Chunked, StringComparison.OrdinalIgnoreCase))
        {
            // Chunk inferences block pool threads for tens of milliseconds (one per core at once); listeners' 20 ms
            // pacing timers must not wait behind them for the pool to inject threads (~2 per second). Frame-by-frame
            // denoising runs on its own threads and needs no more pool threads (idle ones only cost spinning).
            ThreadPool.GetMinThreads(out var workers, out var completionPorts);
            ThreadPool.SetMinThreads(Math.Max(workers, Environment.ProcessorCount * 8), completionPorts);
        }

        builder.AddNpgsqlDbContext<MediaDbContext>("mediadb");
        builder.AddSessionAuthentication();
        builder.AddStreamKeyAuthentication();
        builder.Services.AddGrpc();
        builder.Services.AddServiceGrpcClient<SocialGraph.SocialGraphClient>("social");
        builder.Services.AddDeepFilterNet(denoiser);

        builder.Services.Configure<LiveOptions>(builder.Configuration.GetSection(LiveOptions.SectionName));
        var webRtc = builder.Configuration.GetSection(WebRtcSettings.SectionName).Get<WebRtcSettings>() ?? new WebRtcSettings();
        builder.Services.AddSingleton(_ => new WebRtcEndpoint(webRtc.ToEndpointOptions()));
        builder.Services.AddHostedService<WebRtcEndpointHost>();

        builder.Services.AddSingleton<MediaMetrics>();
        builder.Services.AddSingleton<LiveStreamManager>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<LiveStreamManager>());
        // After the stream manager: it stops first (drained streams end, then the node leaves the registry).
        builder.AddMediaNode();
        builder.Services.AddScoped<ListenerAccess>();
        builder.Services.AddHostedService<AccessRevocation>();
        builder.Services.AddHostedService<RecordingStatusListener>();
        builder.Services.Configure<ListenerLimits>(builder.Configuration.GetSection(ListenerLimits.SectionName));
        builder.Services.AddSingleton<ListenerAdmission>();
        builder.Services.Configure<TurnOptions>(builder.Configuration.GetSection(TurnOptions.SectionName));
        builder.Services.AddSingleton<IceServerDirectory>();
    }
}
