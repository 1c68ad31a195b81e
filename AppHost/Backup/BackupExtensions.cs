using AudioStream.AppHost.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace AudioStream.AppHost.Backup;

public static class BackupExtensions
{
    /// <summary>
    /// "Back up now" on the dashboard's postgres resource, and scheduled backups when <c>Backup:IntervalHours</c> is set.
    /// Local PostgreSQL only (with <c>Infrastructure:UseContainers</c> the container's volume is the operator's to back up).
    /// </summary>
    public static IDistributedApplicationBuilder AddBackups(this IDistributedApplicationBuilder builder)
    {
        if (OperatingSystem.IsLinux() && builder.Resources.OfType<LocalPostgresResource>().SingleOrDefault() is { } postgres)
        {
            builder.AddLocalBackups(postgres);
        }
        return builder;
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static void AddLocalBackups(this IDistributedApplicationBuilder builder, LocalPostgresResource postgres)
    {
        var settings = BackupSettings.From(builder);
        builder.Services.AddSingleton(_ => new BackupJobs(settings, postgres.Password));
        builder.CreateResourceBuilder(postgres).WithCommand("backup-now", "Back up now", async context =>
        {
            try
            {
                var folder = await context.Services.GetRequiredService<BackupJobs>().RunAsync(context.Logger, context.CancellationToken);
                return CommandResults.Success($"Backup written to {folder}");
            }
            catch (Exception exception) when (exception is InvalidOperationException or IOException or UnauthorizedAccessException
                or Npgsql.NpgsqlException or BackupRefusedException)
            {
                context.Logger.LogError(exception, "The backup failed");
                return CommandResults.Failure(exception.Message);
            }
        }, new CommandOptions
        {
            Description = $"Databases and recordings to a new folder under {settings.BackupDirectory}",
            IconName = "Save",
            IsHighlighted = true,
            UpdateState = context => context.ResourceSnapshot.HealthStatus == HealthStatus.Healthy
                ? ResourceCommandState.Enabled
                : ResourceCommandState.Disabled,
        });
        if (settings.IntervalHours > 0)
        {
            builder.Services.AddHostedService(services => new ScheduledBackups(services.GetRequiredService<BackupJobs>(),
                services.GetRequiredService<ResourceNotificationService>(), services.GetRequiredService<ILogger<ScheduledBackups>>()));
        }
    }
}
