using AudioStream.AppHost.Backup;

namespace AudioStream.BackupTests;

public sealed class BackupManifestTests
{
    [Theory]
    [InlineData("../outside.dump")]
    [InlineData("recordings/../../outside.wav")]
    [InlineData("/etc/passwd")]
    [InlineData("")]
    public void A_manifest_path_that_leaves_the_backup_is_refused(string path) =>
        Assert.Null(BackupManifest.ResolveInside("/backups/one", path));

    [Fact]
    public void A_manifest_path_inside_the_backup_resolves_under_it() =>
        Assert.Equal("/backups/one/recordings/a.wav", BackupManifest.ResolveInside("/backups/one/", "recordings/a.wav"));
}
