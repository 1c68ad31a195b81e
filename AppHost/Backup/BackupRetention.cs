using Microsoft.Extensions.Logging;

namespace AudioStream.AppHost.Backup;

/// <summary>After a scheduled backup: the newest <c>Backup:Keep</c> whole backups in the folder stay, older ones go.</summary>
internal static class BackupRetention
{
    public static IReadOnlyList<string> Prune(string folder, int keep, ILogger logger)
    {
        // Names are UTC times (audiostream-yyyyMMddTHHmmssZ), so their order is their age; unfinished (.partial) ones are not counted.
        var old = Directory.EnumerateDirectories(folder, "audiostream-*")
            .Where(backup => !backup.EndsWith(".partial", StringComparison.Ordinal) && File.Exists(Path.Combine(backup, BackupManifest.FileName)))
            .OrderDescending(StringComparer.Ordinal)
            .Skip(keep)
            .ToList();
        foreach (var backup in old)
        {
            Directory.Delete(backup, recursive: true);
            logger.LogInformation("Removed old backup {Backup} (Backup:Keep is {Keep})", backup, keep);
        }
        return old;
    }
}
