using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AudioStream.AppHost.Backup;

/// <summary>Every <c>Backup:IntervalHours</c> while the app runs: a backup, then retention (<c>Backup:Keep</c>).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class ScheduledBackups(BackupJobs jobs, ResourceNotificationService notifications, ILogger<ScheduledBackups> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromHours(jobs.Settings.IntervalHours);
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await notifications.WaitForResourceHealthyAsync(BackupSettings.PostgresResourceName, stoppingToken);
                    await jobs.RunAsync(logger, stoppingToken);
                    BackupRetention.Prune(jobs.Settings.BackupDirectory, jobs.Settings.Keep, logger);
                }
                catch (Exception exception) when (exception is InvalidOperationException or IOException or UnauthorizedAccessException
                    or Npgsql.NpgsqlException or BackupRefusedException)
                {
                    logger.LogError(exception, "The scheduled backup failed; the next is due in {Interval}", interval);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
