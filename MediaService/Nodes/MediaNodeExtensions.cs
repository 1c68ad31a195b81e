using AudioStream.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace AudioStream.MediaService.Nodes;

internal static class MediaNodeExtensions
{
    /// <summary>This node in the media registry: its leases, its renewal and sweep, its drain on SIGTERM.</summary>
    public static void AddMediaNode(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<MediaNodeOptions>(builder.Configuration.GetSection(MediaNodeOptions.SectionName));
        builder.Services.AddSingleton(provider => new MediaNodeLeases(
            provider.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>(),
            provider.GetRequiredService<IOptions<MediaNodeOptions>>().Value.NodeId is { Length: > 0 } id ? id : Environment.MachineName));
        builder.Services.AddSingleton<StreamAdmission>();
        builder.Services.AddHostedService<MediaNodeRegistry>();
        // The drain runs inside the host's shutdown: give it its deadline and the ordinary stop after it.
        var drain = builder.Configuration.GetSection(MediaNodeOptions.SectionName).Get<MediaNodeOptions>()?.DrainDeadline
            ?? new MediaNodeOptions().DrainDeadline;
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = drain + TimeSpan.FromSeconds(15));
    }

    /// <summary>Names this node on every response (<see cref="MediaNodeHeaders.Node"/>), errors included.</summary>
    public static void UseMediaNodeHeader(this IApplicationBuilder app)
    {
        var nodeId = app.ApplicationServices.GetRequiredService<MediaNodeLeases>().NodeId;
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                context.Response.Headers[MediaNodeHeaders.Node] = nodeId;
                return Task.CompletedTask;
            });
            return next(context);
        });
    }
}
