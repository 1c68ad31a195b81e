using System.Buffers;
using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AudioStream.AppHost.Backup;

/// <summary>
/// Takes one backup into a new folder named by its UTC time: every database with <c>pg_dump</c> (custom format, from the
/// same PostgreSQL the app runs, or a private one on its data when the app is stopped), then every file under the
/// recordings root (those being written up to their last synced point, see <see cref="RecordingFileCapture"/>), then
/// the manifest. The folder is written as <c>NAME.partial</c> and renamed when whole, so a half backup never looks like one.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class BackupCreator(BackupSettings settings, ILogger logger)
{
    private const int CopyBufferBytes = 1 << 20;
    private const UnixFileMode PrivateFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Every other database refers to its users, so it is dumped last: no dump then names a user it lacks.</summary>
    private const string IdentityDatabase = "identitydb";

    /// <returns>The new backup's folder.</returns>
    public async Task<string> CreateAsync(string password, string? parentDirectory, CancellationToken cancellationToken)
    {
        var parent = Path.GetFullPath(parentDirectory ?? settings.BackupDirectory);
        if (IsInside(parent, settings.DataRoot))
        {
            throw new BackupRefusedException($"Backups go outside the data folder ({settings.DataRoot}), or they are lost with it; {parent} is inside.");
        }
        var clock = Stopwatch.StartNew();
        var createdAt = DateTimeOffset.UtcNow;
        var (partial, final) = NewFolder(parent, createdAt);
        try
        {
            var files = new List<BackupFile>();
            var databases = new List<DatabaseBackup>();
            string serverVersion, dumpVersion;
            bool wasRunning;
            await using (var server = await PostgresServer.AttachOrStartAsync(settings, password, logger, cancellationToken))
            {
                wasRunning = server.WasRunning;
                serverVersion = (string)(await QueryAsync(server.Endpoint, "postgres", "SHOW server_version", cancellationToken)).Single();
                dumpVersion = (await ExternalProgram.RunAsync(settings.Program("pg_dump"), ["--version"], cancellationToken)).Trim();
                var names = (await QueryAsync(server.Endpoint, "postgres",
                        "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres'", cancellationToken))
                    .Cast<string>().OrderBy(name => name == IdentityDatabase).ThenBy(name => name, StringComparer.Ordinal).ToList();
                Directory.CreateDirectory(Path.Combine(partial, BackupManifest.DatabasesFolder));
                foreach (var name in names)
                {
                    var (database, file) = await DumpAsync(server.Endpoint, name, partial, cancellationToken);
                    databases.Add(database);
                    files.Add(file);
                }
            }
            files.AddRange(await CopyRecordingsAsync(partial, cancellationToken));

            var manifest = new BackupManifest(BackupManifest.CurrentFormat, createdAt, clock.Elapsed.TotalSeconds, AppVersion,
                serverVersion, dumpVersion, wasRunning, databases, files);
            await manifest.WriteAsync(partial, cancellationToken);
            Directory.Move(partial, final);
            logger.LogInformation("Backup {Folder}: {Databases} databases, {Files} files, {Bytes:N0} bytes in {Seconds:F1} s",
                final, databases.Count, files.Count, files.Sum(file => file.Bytes), clock.Elapsed.TotalSeconds);
            return final;
        }
        catch
        {
            if (Directory.Exists(partial))
            {
                Directory.Delete(partial, recursive: true);
            }
            throw;
        }
    }

    private async Task<(DatabaseBackup Database, BackupFile File)> DumpAsync(
        PostgresEndpoint endpoint, string name, string folder, CancellationToken cancellationToken)
    {
        List<string> migrations;
        try
        {
            migrations = (await QueryAsync(endpoint, name, "SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\" ORDER BY 1", cancellationToken))
                .Cast<string>().ToList();
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            migrations = []; // the service never migrated it
        }
        var relative = $"{BackupManifest.DatabasesFolder}/{name}.dump";
        var path = Path.Combine(folder, relative);
        await ExternalProgram.RunAsync(settings.Program("pg_dump"),
            [.. endpoint.ClientArguments, "--format=custom", "--file", path, "--dbname", name],
            cancellationToken, endpoint.ClientEnvironment);
        await using var dump = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(dump, cancellationToken));
        logger.LogInformation("Dumped {Database}: {Bytes:N0} bytes, {Migrations} migrations", name, dump.Length, migrations.Count);
        return (new DatabaseBackup(name, relative, migrations), new BackupFile(relative, dump.Length, hash));
    }

    private async Task<List<BackupFile>> CopyRecordingsAsync(string folder, CancellationToken cancellationToken)
    {
        var files = new List<BackupFile>();
        if (!Directory.Exists(settings.RecordingsRoot))
        {
            return files;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferBytes);
        try
        {
            foreach (var source in Directory.EnumerateFiles(settings.RecordingsRoot, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                if (source.EndsWith(".tmp", StringComparison.Ordinal))
                {
                    continue; // a waveform being written; its previous version, if any, is there under its own name
                }
                var relative = $"{BackupManifest.RecordingsFolder}/{Path.GetRelativePath(settings.RecordingsRoot, source).Replace(Path.DirectorySeparatorChar, '/')}";
                if (await CopyRecordingAsync(source, Path.Combine(folder, relative), relative, buffer, cancellationToken) is { } file)
                {
                    files.Add(file);
                    if (file.InProgress == true)
                    {
                        logger.LogInformation("{File} is being written: captured {Bytes:N0} of {SourceBytes:N0} bytes (its last synced point)",
                            relative, file.Bytes, file.SourceBytes);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return files;
    }

    /// <returns>Null when the file vanished before it could be opened (a recording deleted meanwhile).</returns>
    private static async Task<BackupFile?> CopyRecordingAsync(
        string source, string target, string relative, byte[] buffer, CancellationToken cancellationToken)
    {
        Microsoft.Win32.SafeHandles.SafeFileHandle input;
        try
        {
            input = File.OpenHandle(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        using (input)
        {
            var capture = RecordingFileCapture.Measure(input, File.GetLastWriteTimeUtc(source), DateTimeOffset.UtcNow);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
            long copied = 0;
            while (copied < capture.Bytes)
            {
                var read = await RandomAccess.ReadAsync(input, buffer.AsMemory(0, (int)Math.Min(buffer.Length, capture.Bytes - copied)), copied, cancellationToken);
                if (read == 0)
                {
                    break; // shrank meanwhile (repaired); what was read is still a whole prefix
                }
                hash.AppendData(buffer, 0, read);
                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                copied += read;
            }
            output.Flush(flushToDisk: true);
            return capture.InProgress
                ? new BackupFile(relative, copied, Convert.ToHexStringLower(hash.GetHashAndReset()), InProgress: true, SourceBytes: capture.SourceBytes)
                : new BackupFile(relative, copied, Convert.ToHexStringLower(hash.GetHashAndReset()));
        }
    }

    private static async Task<List<object>> QueryAsync(PostgresEndpoint endpoint, string database, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(endpoint.ConnectionString(database));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var values = new List<object>();
        while (await reader.ReadAsync(cancellationToken))
        {
            values.Add(reader.GetValue(0));
        }
        return values;
    }

    private static (string Partial, string Final) NewFolder(string parent, DateTimeOffset createdAt)
    {
        Directory.CreateDirectory(parent);
        var name = $"audiostream-{createdAt.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}";
        for (var attempt = 2; ; attempt++)
        {
            var final = Path.Combine(parent, name);
            var partial = final + ".partial";
            if (!Directory.Exists(final) && !Directory.Exists(partial))
            {
                // Dumps hold password hashes: this user only.
                Directory.CreateDirectory(partial, PrivateFolder);
                return (partial, final);
            }
            name = $"audiostream-{createdAt.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{attempt}";
        }
    }

    internal static bool IsInside(string path, string folder)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)) + Path.DirectorySeparatorChar;
        return (Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)) + Path.DirectorySeparatorChar).StartsWith(root, StringComparison.Ordinal);
    }

    private static string AppVersion =>
        typeof(BackupCreator).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
