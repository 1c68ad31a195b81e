using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AudioStream.AppHost;

/// <summary>
/// Starts a media node again when it exits with a failure (a crash, <c>kill -9</c>), as an orchestrator restarts a
/// failed pod. A clean exit (SIGTERM after a drain, Stop on the dashboard) is left alone, and nothing is restarted
/// while the AppHost itself stops.
/// </summary>
internal sealed class CrashedNodeRestarter(
    IReadOnlySet<string> nodes,
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    IHostApplicationLifetime lifetime,
    ILogger<CrashedNodeRestarter> logger) : BackgroundService
{
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(1);

    private readonly HashSet<string> _restarting = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var change in notifications.WatchAsync(stoppingToken))
        {
            var name = change.Resource.Name;
            if (!nodes.Contains(name))
            {
                continue;
            }
            var state = change.Snapshot.State?.Text;
            if (state == KnownResourceStates.Running)
            {
                _restarting.Remove(name);
            }
            else if ((state == KnownResourceStates.Exited || state == KnownResourceStates.Finished)
                && change.Snapshot.ExitCode is not (null or 0)
                && !lifetime.ApplicationStopping.IsCancellationRequested
                && _restarting.Add(name))
            {
                logger.LogWarning("Media node {Node} exited with code {ExitCode}; starting it again", name, change.Snapshot.ExitCode);
                _ = RestartAsync(name, stoppingToken);
            }
        }
    }

    private async Task RestartAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Pause, cancellationToken);
            var result = await commands.ExecuteCommandAsync(name, KnownResourceCommands.StartCommand, cancellationToken);
            if (!result.Success)
            {
                logger.LogError("Media node {Node} could not be started again: {Error}", name, result.Message);
            }
        }
        catch (OperationCanceledException)
        {
            // The AppHost is stopping.
        }
    }
}
