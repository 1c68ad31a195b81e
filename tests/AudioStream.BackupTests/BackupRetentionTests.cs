using AudioStream.AppHost.Backup;
using Microsoft.Extensions.Logging.Abstractions;

namespace AudioStream.BackupTests;

/// <summary>What a scheduled backup leaves behind (<c>Backup:Keep</c>).</summary>
public sealed class BackupRetentionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("audiostream-retention-").FullName;

    [Fact]
    public void Retention_keeps_the_newest_whole_backups_and_leaves_unfinished_ones_alone()
    {
        string[] whole = ["audiostream-20261129T120000Z", "audiostream-20261130T120000Z", "audiostream-20261201T120000Z", "audiostream-20261201T120000Z-2"];
        foreach (var name in whole)
        {
            Directory.CreateDirectory(Path.Combine(_folder, name));
            File.WriteAllText(Path.Combine(_folder, name, BackupManifest.FileName), "{}");
        }
        Directory.CreateDirectory(Path.Combine(_folder, "audiostream-20261202T120000Z.partial"));
        Directory.CreateDirectory(Path.Combine(_folder, "audiostream-20261128T120000Z")); // no manifest: not a backup this code wrote whole

        var removed = BackupRetention.Prune(_folder, keep: 2, NullLogger.Instance);

        Assert.Equal([Path.Combine(_folder, whole[1]), Path.Combine(_folder, whole[0])], removed);
        Assert.Equal(
            ["audiostream-20261128T120000Z", "audiostream-20261201T120000Z", "audiostream-20261201T120000Z-2", "audiostream-20261202T120000Z.partial"],
            Directory.GetDirectories(_folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
