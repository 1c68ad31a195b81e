using AudioStream.AppHost.Infrastructure;

namespace AudioStream.AppHost.Backup;

/// <summary>
/// Where a backup's data lives and where backups go, read from the AppHost's own configuration (command line, environment,
/// user secrets), so <c>./run.sh backup</c>, the dashboard's "Back up now" and the scheduled backups agree with the running app.
/// </summary>
/// <param name="BackupDirectory"><c>Backup:Directory</c>; default a sibling of the data folder (<c>.data-backups</c>), never inside it.</param>
/// <param name="Password">The PostgreSQL secret parameter (user secrets); null before the app ever ran on this machine.</param>
/// <param name="IntervalHours"><c>Backup:IntervalHours</c>: scheduled backups while the app runs; 0 (default) for none.</param>
/// <param name="Keep"><c>Backup:Keep</c>: how many backups the schedule leaves in <paramref name="BackupDirectory"/> (default 7).</param>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed record BackupSettings(
    string DataRoot,
    string PostgresDataDirectory,
    string RecordingsRoot,
    string BackupDirectory,
    string PostgresBinDirectory,
    bool RunAsPostgresUser,
    string? Password,
    double IntervalHours,
    int Keep)
{
    /// <summary>The name TopologyExtensions gives the PostgreSQL resource (its secret is <c>Parameters:postgres-password</c>).</summary>
    public const string PostgresResourceName = "postgres";

    public static BackupSettings From(IDistributedApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var dataRoot = Path.GetFullPath(builder.DataRoot());
        return new BackupSettings(
            dataRoot,
            LocalInfrastructureExtensions.PostgresDataDirectory(dataRoot, PostgresResourceName),
            // The same default Program.cs gives RecordingService.
            Path.GetFullPath(configuration["Recordings:StorageRoot"] ?? Path.Combine(dataRoot, "recordings")),
            Path.GetFullPath(configuration["Backup:Directory"] ?? dataRoot.TrimEnd(Path.DirectorySeparatorChar) + "-backups"),
            new PostgresBinaries(configuration["Postgres:BinDirectory"]).Directory,
            Environment.IsPrivilegedProcess,
            configuration[$"Parameters:{PostgresResourceName}-password"],
            configuration.GetValue("Backup:IntervalHours", 0.0),
            Math.Max(1, configuration.GetValue("Backup:Keep", 7)));
    }

    public string Program(string name) => Path.Combine(PostgresBinDirectory, name);
}
