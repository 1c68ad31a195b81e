using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AudioStream.AppHost.Backup;

/// <summary>
/// <c>manifest.json</c>, the description of one backup: when, from which versions, which migrations each database had,
/// and every file with its size and SHA-256 (paths relative to the backup folder, <c>/</c>-separated). Never a password.
/// </summary>
internal sealed record BackupManifest(
    int Format,
    DateTimeOffset CreatedAt,
    double DurationSeconds,
    string AppVersion,
    string PostgresServerVersion,
    string PgDumpVersion,
    bool AppWasRunning,
    IReadOnlyList<DatabaseBackup> Databases,
    IReadOnlyList<BackupFile> Files)
{
    public const int CurrentFormat = 1;
    public const string FileName = "manifest.json";

    /// <summary>The same sizes and hashes in <c>sha256sum</c>'s format: <c>sha256sum -c SHA256SUMS</c> checks a copy anywhere.</summary>
    public const string ChecksumsFileName = "SHA256SUMS";

    public const string DatabasesFolder = "databases";
    public const string RecordingsFolder = "recordings";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public async Task WriteAsync(string folder, CancellationToken cancellationToken)
    {
        await File.WriteAllBytesAsync(Path.Combine(folder, FileName), JsonSerializer.SerializeToUtf8Bytes(this, Json), cancellationToken);
        await File.WriteAllLinesAsync(Path.Combine(folder, ChecksumsFileName),
            Files.Select(file => $"{file.Sha256}  {file.Path}"), cancellationToken);
    }

    /// <exception cref="InvalidDataException">No readable manifest of a known format.</exception>
    public static async Task<BackupManifest> ReadAsync(string folder, CancellationToken cancellationToken)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{folder} is not a backup: it has no {FileName}.");
        }
        BackupManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<BackupManifest>(await File.ReadAllBytesAsync(path, cancellationToken), Json);
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"{FileName} is damaged: {exception.Message}", exception);
        }
        if (manifest is null || manifest.Format != CurrentFormat || manifest.Files is null || manifest.Databases is null)
        {
            throw new InvalidDataException($"{FileName} is damaged or of an unknown format.");
        }
        return manifest;
    }

    /// <summary>
    /// Checks every file against its size and SHA-256, and that every path stays inside the backup (a manifest is
    /// input: a crafted one must not make a restore write elsewhere). Returns one line per damaged file; empty when whole.
    /// </summary>
    public async Task<IReadOnlyList<string>> VerifyAsync(string folder, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        foreach (var file in Files)
        {
            if (ResolveInside(folder, file.Path) is not { } path)
            {
                problems.Add($"{file.Path}: not a path inside the backup");
                continue;
            }
            if (!File.Exists(path))
            {
                problems.Add($"{file.Path}: missing");
                continue;
            }
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            if (stream.Length != file.Bytes)
            {
                problems.Add($"{file.Path}: {stream.Length} bytes where the manifest says {file.Bytes}");
                continue;
            }
            var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
            if (hash != file.Sha256)
            {
                problems.Add($"{file.Path}: SHA-256 {hash} where the manifest says {file.Sha256}");
            }
        }
        foreach (var database in Databases.Where(database => Files.All(file => file.Path != database.File)))
        {
            problems.Add($"{database.File}: the dump of {database.Name} is not among the files");
        }
        return problems;
    }

    /// <summary>The full path of a manifest path under <paramref name="root"/>, or null if it would leave it.</summary>
    public static string? ResolveInside(string root, string relativePath)
    {
        if (string.IsNullOrEmpty(relativePath) || Path.IsPathRooted(relativePath) || relativePath.Contains('\\', StringComparison.Ordinal))
        {
            return null;
        }
        var rootPath = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)) + Path.DirectorySeparatorChar;
        var full = Path.GetFullPath(Path.Combine(rootPath, relativePath));
        return full.StartsWith(rootPath, StringComparison.Ordinal) ? full : null;
    }
}

/// <param name="Migrations">The EF Core migrations applied to it (<c>__EFMigrationsHistory</c>), oldest first.</param>
internal sealed record DatabaseBackup(string Name, string File, IReadOnlyList<string> Migrations);

/// <param name="InProgress">Recordings only: the file was being written, and holds its audio up to the last synced point.</param>
/// <param name="SourceBytes">Recordings being written only: the file's length at the time (the copy stops at the synced point).</param>
internal sealed record BackupFile(string Path, long Bytes, string Sha256, bool? InProgress = null, long? SourceBytes = null);
