using System.Security.Cryptography;
using AudioStream.AppHost.Infrastructure;
using Microsoft.Extensions.Logging;

namespace AudioStream.AppHost.Backup;

/// <summary>
/// Restores a backup into the configured data folder, which must be empty (or <c>force</c> clears its PostgreSQL data and
/// recordings, never while the app runs on it). Every file is checked against the manifest before anything is written;
/// then a new PostgreSQL data directory is initialised, each dump restored with <c>pg_restore</c> into a private server,
/// and the recordings copied. Newer migrations apply when the app next starts (the AppHost sets
/// <c>Database__MigrateAtStartup</c>); recordings that were being written are repaired then (they list as "repaired").
/// A restore that fails midway removes what it wrote.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class BackupRestorer(BackupSettings settings, ILogger logger)
{
    public async Task<BackupManifest> RestoreAsync(string backupFolder, bool force, CancellationToken cancellationToken)
    {
        backupFolder = Path.GetFullPath(backupFolder);
        BackupManifest manifest;
        try
        {
            manifest = await BackupManifest.ReadAsync(backupFolder, cancellationToken);
        }
        catch (InvalidDataException exception)
        {
            throw new BackupRefusedException($"Refused: {exception.Message} Nothing was restored.");
        }
        EnsureTargetIsFree(force);

        logger.LogInformation("Checking {Files} files of {Backup} against their SHA-256", manifest.Files.Count, backupFolder);
        var problems = await manifest.VerifyAsync(backupFolder, cancellationToken);
        if (problems.Count > 0)
        {
            throw new BackupRefusedException(
                $"Refused: the backup {backupFolder} is damaged; nothing was restored.{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", problems)}");
        }

        if (force)
        {
            ClearTarget();
        }
        try
        {
            await RestoreDatabasesAsync(backupFolder, manifest, cancellationToken);
            CopyRecordings(backupFolder, manifest);
        }
        catch
        {
            logger.LogError("The restore failed; removing what it wrote");
            ClearTarget();
            throw;
        }
        return manifest;
    }

    private async Task RestoreDatabasesAsync(string backupFolder, BackupManifest manifest, CancellationToken cancellationToken)
    {
        // Any password will do for the restore: the AppHost sets its own secret on this data at its next start.
        var password = settings.Password ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        await new PostgresDataDirectory(new PostgresBinaries(settings.PostgresBinDirectory), settings.PostgresDataDirectory,
            settings.RunAsPostgresUser, logger).EnsureReadyAsync(password, cancellationToken);
        await using var server = await PostgresServer.StartPrivateAsync(settings, settings.PostgresDataDirectory, password, logger, cancellationToken);
        foreach (var database in manifest.Databases)
        {
            logger.LogInformation("Restoring {Database} ({Migrations} migrations applied when backed up)", database.Name, database.Migrations.Count);
            // --create makes the database as it was dumped (name, encoding, locale) from the server's "postgres" database.
            await ExternalProgram.RunAsync(settings.Program("pg_restore"),
                [.. server.Endpoint.ClientArguments, "--create", "--exit-on-error", "--no-owner", "--dbname", "postgres",
                 BackupManifest.ResolveInside(backupFolder, database.File)!],
                cancellationToken, server.Endpoint.ClientEnvironment);
        }
    }

    private void CopyRecordings(string backupFolder, BackupManifest manifest)
    {
        const string Prefix = BackupManifest.RecordingsFolder + "/";
        var recordings = manifest.Files.Where(file => file.Path.StartsWith(Prefix, StringComparison.Ordinal)).ToList();
        foreach (var file in recordings)
        {
            var target = BackupManifest.ResolveInside(settings.RecordingsRoot, file.Path[Prefix.Length..])
                ?? throw new BackupRefusedException($"{file.Path} would land outside the recordings folder.");
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(BackupManifest.ResolveInside(backupFolder, file.Path)!, target);
        }
        logger.LogInformation("Copied {Count} recording files ({InProgress} captured while being written) to {Root}",
            recordings.Count, recordings.Count(file => file.InProgress == true), settings.RecordingsRoot);
    }

    private void EnsureTargetIsFree(bool force)
    {
        if (RunningServer.TryRead(settings.PostgresDataDirectory) is { } running)
        {
            throw new BackupRefusedException(
                $"Refused: PostgreSQL (process {running.ProcessId}) runs on {settings.PostgresDataDirectory}; stop the app first. Nothing was restored.");
        }
        var occupied = new[] { settings.DataRoot, settings.PostgresDataDirectory, settings.RecordingsRoot }
            .Distinct().Where(HasEntries).ToList();
        if (occupied.Count > 0 && !force)
        {
            throw new BackupRefusedException(
                $"Refused: the data folder is not empty ({string.Join(", ", occupied)}). Restore into a fresh one (--DataRoot=DIR), " +
                "or add --force to replace its databases and recordings. Nothing was restored.");
        }
    }

    /// <summary>What a restore writes: the PostgreSQL data and the recordings (Redis keeps nothing on disk).</summary>
    private void ClearTarget()
    {
        foreach (var folder in new[] { settings.PostgresDataDirectory, settings.RecordingsRoot }.Where(Directory.Exists))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static bool HasEntries(string folder) => Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any();
}
