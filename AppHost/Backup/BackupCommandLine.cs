using Microsoft.Extensions.Logging;
using Npgsql;

namespace AudioStream.AppHost.Backup;

/// <summary>
/// <c>AppHost backup [DIR]</c> and <c>AppHost restore BACKUP [--force]</c> (what <c>./run.sh backup|restore</c> runs), with
/// the app's usual <c>--Key=value</c> settings (<c>--DataRoot=...</c>). A backup works whether the app runs or not.
/// The path of a new backup is the one line on standard output; progress goes to standard error.
/// Exit codes: 0 done, 1 failed, 2 refused or misused (nothing changed).
/// </summary>
internal static class BackupCommandLine
{
    private const string Usage = """
        usage: AppHost backup [DIR] [--Key=value ...]           a new backup folder under DIR (default Backup:Directory)
               AppHost restore BACKUP [--force] [--Key=value ...]  restore into DataRoot (must be empty unless --force)
        """;

    public static bool IsVerb(string[] args) => args is ["backup" or "restore", ..];

    public static async Task<int> RunAsync(string[] args)
    {
        var positional = new List<string>();
        var configuration = new List<string>();
        var force = false;
        foreach (var argument in args.Skip(1))
        {
            if (argument == "--force")
            {
                force = true;
            }
            else if (argument.StartsWith("--", StringComparison.Ordinal) && argument.Contains('=', StringComparison.Ordinal))
            {
                configuration.Add(argument);
            }
            else if (argument.StartsWith('-'))
            {
                return Misused($"unknown option {argument}");
            }
            else
            {
                positional.Add(argument);
            }
        }
        var verb = args[0];
        if (!OperatingSystem.IsLinux())
        {
            return Misused("Backups are of the local PostgreSQL and recordings, which run on Linux only.");
        }
        if (positional.Count > 1 || (verb == "restore" && positional.Count != 1) || (verb == "backup" && force))
        {
            return Misused(null);
        }

        // The same configuration sources as the app (user secrets hold the PostgreSQL password), never its resources.
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions { Args = [.. configuration], DisableDashboard = true });
        using var loggers = LoggerFactory.Create(logging => logging
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddSimpleConsole(console => console.SingleLine = true));
        var logger = loggers.CreateLogger($"AudioStream.{verb}");
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        try
        {
            var settings = BackupSettings.From(builder);
            if (verb == "backup")
            {
                var password = settings.Password ?? throw new BackupRefusedException(
                    "No PostgreSQL password: neither the AppHost's user secrets nor the environment (Parameters__postgres-password) " +
                    "hold Parameters:postgres-password. Has the app ever run here?");
                Console.Out.WriteLine(await new BackupCreator(settings, logger).CreateAsync(password, positional.FirstOrDefault(), cancel.Token));
            }
            else
            {
                var manifest = await new BackupRestorer(settings, logger).RestoreAsync(positional[0], force, cancel.Token);
                await Console.Error.WriteLineAsync(
                    $"Restored the backup of {manifest.CreatedAt:u} into {settings.DataRoot}. Start the app on it as usual " +
                    "(it applies newer migrations and repairs recordings that were being written); everyone logs in again.");
            }
            return 0;
        }
        catch (BackupRefusedException exception)
        {
            await Console.Error.WriteLineAsync(exception.Message);
            return 2;
        }
        catch (Exception exception) when (exception is InvalidOperationException or IOException or UnauthorizedAccessException
            or NpgsqlException or InvalidDataException or OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"The {verb} failed: {exception.Message}");
            return 1;
        }
    }

    private static int Misused(string? problem)
    {
        if (problem is not null)
        {
            Console.Error.WriteLine(problem);
        }
        Console.Error.WriteLine(Usage);
        return 2;
    }
}
