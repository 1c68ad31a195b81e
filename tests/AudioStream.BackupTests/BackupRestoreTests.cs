using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AudioStream.AppHost.Backup;

namespace AudioStream.BackupTests;

/// <summary>
/// Backups taken from the running app (command line and dashboard), restored with the command line into an empty data
/// folder, and the app started again on it: what people had is there, byte for byte.
/// </summary>
public sealed class BackupRestoreTests(BackupScenario scenario, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<BackupScenario>
{
    /// <summary>A recording's (cleaned) track in a backup: new recordings are Ogg Opus.</summary>
    private static string RecordingFile(Guid id) => $"recordings/{id}.opus";

    [Fact]
    public async Task A_backup_taken_while_streaming_restores_accounts_friends_requests_and_recordings()
    {
        var target = Path.Combine(scenario.WorkFolder, "restored");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var restore = await AppHostCommand.RunAsync("restore", scenario.CommandLineBackup, $"--DataRoot={target}");
        Assert.True(restore.ExitCode == 0, $"restore exited {restore.ExitCode}: {restore.Errors}");
        var backedUp = await BackupManifest.ReadAsync(scenario.CommandLineBackup, CancellationToken.None);
        output.WriteLine($"Backup of the test data (app running): {backedUp.DurationSeconds:F1} s, {backedUp.Files.Sum(file => file.Bytes):N0} bytes " +
            $"({backedUp.Files.Where(file => file.Path.StartsWith("databases/", StringComparison.Ordinal)).Sum(file => file.Bytes):N0} of dumps); " +
            $"restore command {clock.Elapsed.TotalSeconds:F1} s");

        var restored = new BackupAppHost(target, Path.Combine(scenario.WorkFolder, "restored-backups"));
        try
        {
            await restored.InitializeAsync();
            var (aliceName, bobName, carolName) = (scenario.UserNames[0], scenario.UserNames[1], scenario.UserNames[2]);
            using var alice = await LogInAsync(restored, aliceName);
            using var bob = await LogInAsync(restored, bobName);
            using var carol = await LogInAsync(restored, carolName);

            // Redis (sessions, key ring) is not in a backup: a session from before the restore is gone.
            using (var oldSession = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/identity/me", UriKind.Relative)))
            {
                oldSession.Headers.Add("Cookie", scenario.AliceCookie);
                using var answer = await new UserSession(restored).SendAsync(oldSession);
                Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
            }

            var friends = await alice.GetJsonAsync("/api/social/friends");
            Assert.Equal([bobName], friends.EnumerateArray().Select(friend => friend.GetProperty("username").GetString()));
            var requests = await alice.GetJsonAsync("/api/social/requests");
            Assert.Equal([carolName], requests.GetProperty("incoming").EnumerateArray().Select(request => request.GetProperty("username").GetString()));
            Assert.Equal([aliceName], (await carol.GetJsonAsync("/api/social/requests")).GetProperty("outgoing").EnumerateArray()
                .Select(request => request.GetProperty("username").GetString()));

            // The finished recording is as it was.
            var aliceRecordings = await alice.GetJsonAsync("/api/recordings");
            Assert.Equal([scenario.AliceRecording], aliceRecordings.EnumerateArray().Select(recording => recording.GetProperty("id").GetGuid()));
            Assert.Equal(scenario.AliceAudio, await ToneBroadcast.AudioAsync(alice, scenario.AliceRecording));

            // The live one holds its audio up to the second synced before the backup, and is listed as repaired.
            var bobRecording = await ToneBroadcast.WaitForRecordingAsync(bob, scenario.BobRecording,
                recording => recording.GetProperty("status").GetString() != "recording");
            Assert.Equal("repaired", bobRecording.GetProperty("status").GetString());
            Assert.Equal([scenario.BobRecording], (await bob.GetJsonAsync("/api/recordings")).EnumerateArray().Select(r => r.GetProperty("id").GetGuid()));
            var bobAudio = await ToneBroadcast.AudioAsync(bob, scenario.BobRecording);
            Assert.InRange(bobRecording.GetProperty("durationSeconds").GetDouble(), 2.0, double.MaxValue);
            Assert.True(bobAudio.Length < scenario.BobAudio.Length, $"captured {bobAudio.Length} of {scenario.BobAudio.Length} bytes");
            // Ogg pages up to the captured second are the stream's own bytes; the repair at start-up marks the last
            // page as the end of the stream (its header flag and checksum), so that page is compared by length only.
            int lastPage = bobAudio.AsSpan().LastIndexOf("OggS"u8);
            Assert.True(lastPage > 0, "the restored recording is not Ogg");
            Assert.Equal(scenario.BobAudio.AsSpan(0, lastPage).ToArray(), bobAudio.AsSpan(0, lastPage).ToArray());
            var manifest = await BackupManifest.ReadAsync(scenario.CommandLineBackup, CancellationToken.None);
            var bobFile = Assert.Single(manifest.Files, file => file.Path == RecordingFile(scenario.BobRecording));
            Assert.True(bobFile.InProgress);
            // What the backup captured, give or take the page the repair at start-up closes the stream with (it appends an
            // end-of-stream page, or drops a last page whose packet continues beyond it).
            Assert.InRange(bobAudio.Length - bobFile.Bytes, -8192, 8192);
        }
        finally
        {
            await restored.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_backup_with_one_flipped_byte_is_refused_and_the_target_stays_empty()
    {
        var damaged = Path.Combine(scenario.WorkFolder, $"damaged-{Guid.NewGuid():N}");
        CopyFolder(scenario.DashboardBackup, damaged);
        var dump = Path.Combine(damaged, "databases", "socialdb.dump");
        var bytes = await File.ReadAllBytesAsync(dump);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(dump, bytes);
        var target = Path.Combine(scenario.WorkFolder, $"never-{Guid.NewGuid():N}");

        var restore = await AppHostCommand.RunAsync("restore", damaged, $"--DataRoot={target}");

        Assert.Equal(2, restore.ExitCode);
        Assert.Contains("databases/socialdb.dump: SHA-256", restore.Errors, StringComparison.Ordinal);
        Assert.True(!Directory.Exists(target) || !Directory.EnumerateFileSystemEntries(target).Any(),
            $"the target holds {string.Join(", ", Directory.EnumerateFileSystemEntries(target))}");
    }

    [Fact]
    public async Task A_restore_into_a_data_folder_in_use_is_refused()
    {
        var target = Path.Combine(scenario.WorkFolder, $"occupied-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(target, "recordings"));
        await File.WriteAllTextAsync(Path.Combine(target, "recordings", "keep.wav"), "not mine to delete");

        var restore = await AppHostCommand.RunAsync("restore", scenario.DashboardBackup, $"--DataRoot={target}");

        Assert.Equal(2, restore.ExitCode);
        Assert.Contains("not empty", restore.Errors, StringComparison.Ordinal);
        Assert.Equal("not mine to delete", await File.ReadAllTextAsync(Path.Combine(target, "recordings", "keep.wav")));
    }

    [Fact]
    public async Task The_dashboard_command_backs_up_every_database_and_the_live_recording_without_the_password()
    {
        var manifest = await BackupManifest.ReadAsync(scenario.DashboardBackup, CancellationToken.None);

        Assert.True(manifest.AppWasRunning);
        Assert.StartsWith("15.", manifest.PostgresServerVersion, StringComparison.Ordinal);
        Assert.Equal(["mediadb", "recordingdb", "socialdb", "identitydb"], manifest.Databases.Select(database => database.Name));
        Assert.All(manifest.Databases, database => Assert.NotEmpty(database.Migrations));
        Assert.Empty(await manifest.VerifyAsync(scenario.DashboardBackup, CancellationToken.None));
        Assert.Null(Assert.Single(manifest.Files, file => file.Path == RecordingFile(scenario.AliceRecording)).InProgress);
        var live = Assert.Single(manifest.Files, file => file.Path == RecordingFile(scenario.BobRecording));
        Assert.True(live.InProgress);
        Assert.True(live.SourceBytes >= live.Bytes);

        var password = Encoding.UTF8.GetBytes(scenario.PostgresPassword);
        foreach (var file in Directory.EnumerateFiles(scenario.DashboardBackup, "*", SearchOption.AllDirectories))
        {
            Assert.True((await File.ReadAllBytesAsync(file)).AsSpan().IndexOf(password) < 0, $"{file} holds the password");
        }
    }

    private static async Task<UserSession> LogInAsync(AppHostFixture app, string userName)
    {
        var user = new UserSession(app, userName);
        using var response = await user.PostAsync("/api/identity/login", new { username = userName, password = user.Password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(userName, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("username").GetString());
        return user;
    }

    private static void CopyFolder(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
    }
}
