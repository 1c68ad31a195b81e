namespace AudioStream.BackupTests;

/// <summary>The real AppHost on a data folder the test chooses, with the dashboard's backups going to <paramref name="backupDirectory"/>.</summary>
public sealed class BackupAppHost(string dataRoot, string backupDirectory) : AppHostFixture(dataRoot)
{
    protected override IEnumerable<string> ExtraArguments => [$"--Backup:Directory={backupDirectory}"];
}
