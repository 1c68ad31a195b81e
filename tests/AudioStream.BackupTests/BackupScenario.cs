using System.Net;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AudioStream.BackupTests;

/// <summary>
/// One app with the data people care about, backed up while a stream is live, then stopped: alice and bob are
/// friends, carol has asked alice, alice recorded a stream, and bob was live during both backups (one from the command
/// line, one from the dashboard's "Back up now"). Holds what the original app served, for comparison after a restore.
/// </summary>
public sealed class BackupScenario : IAsyncLifetime
{
    public string WorkFolder { get; } = Path.Combine(Path.GetTempPath(), "audiostream-tests", $"backup-{Guid.NewGuid():N}");

    public string CommandLineBackup { get; private set; } = "";

    public string DashboardBackup { get; private set; } = "";

    public string[] UserNames { get; private set; } = [];

    public string AliceCookie { get; private set; } = "";

    public Guid AliceRecording { get; private set; }

    public Guid BobRecording { get; private set; }

    /// <summary>The recordings' WAVs as the original app served them once finished.</summary>
    public byte[] AliceAudio { get; private set; } = [];

    public byte[] BobAudio { get; private set; } = [];

    /// <summary>The original PostgreSQL password, to check it is written nowhere in a backup.</summary>
    public string PostgresPassword { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var original = new BackupAppHost(Path.Combine(WorkFolder, "original"), Path.Combine(WorkFolder, "dashboard-backups"));
        try
        {
            await original.InitializeAsync();
            await PopulateAndBackUpAsync(original);
        }
        finally
        {
            await original.DisposeAsync();
        }
    }

    private async Task PopulateAndBackUpAsync(BackupAppHost app)
    {
        using var alice = await new UserSession(app, UserSession.UniqueName("alice")).RegisterAsync();
        using var bob = await new UserSession(app, UserSession.UniqueName("bob")).RegisterAsync();
        using var carol = await new UserSession(app, UserSession.UniqueName("carol")).RegisterAsync();
        UserNames = [alice.UserName, bob.UserName, carol.UserName];
        await alice.BefriendAsync(bob);
        using (var request = await carol.PostAsync("/api/social/requests", new { username = alice.UserName }))
        {
            Assert.Equal(HttpStatusCode.Created, request.StatusCode);
        }
        AliceCookie = alice.Cookies.GetCookieHeader(alice.BaseAddress);
        PostgresPassword = new NpgsqlConnectionStringBuilder(await app.App.GetConnectionStringAsync("postgres")).Password!;

        await using (var first = await ToneBroadcast.StartAsync(alice, "before the backup"))
        {
            await first.WaitForRecordingAsync(recording => recording.GetProperty("durationSeconds").GetDouble() >= 2);
            await first.StopAsync();
            await first.WaitForRecordingAsync(recording => recording.GetProperty("status").GetString() == "complete");
            AliceRecording = first.SessionId;
        }
        AliceAudio = await ToneBroadcast.AudioAsync(alice, AliceRecording);

        await using var live = await ToneBroadcast.StartAsync(bob, "live during the backup");
        BobRecording = live.SessionId;
        await live.WaitForRecordingAsync(recording => recording.GetProperty("durationSeconds").GetDouble() >= 3);

        // A test AppHost keeps its generated password in memory, not in user secrets: the environment carries it, never the command line.
        var command = await AppHostCommand.RunAsync(new Dictionary<string, string> { ["Parameters__postgres-password"] = PostgresPassword },
            "backup", Path.Combine(WorkFolder, "cli-backups"), $"--DataRoot={app.DataRoot}");
        Assert.True(command.ExitCode == 0, $"backup exited {command.ExitCode}: {command.Errors}");
        CommandLineBackup = command.Output.Trim();

        var result = await app.App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync("postgres", "backup-now");
        Assert.True(result.Success, result.Message);
        DashboardBackup = Assert.Single(Directory.GetDirectories(Path.Combine(WorkFolder, "dashboard-backups")));

        await Task.Delay(TimeSpan.FromSeconds(1));
        await live.StopAsync();
        await live.WaitForRecordingAsync(recording => recording.GetProperty("status").GetString() == "complete");
        BobAudio = await ToneBroadcast.AudioAsync(bob, BobRecording);
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(WorkFolder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return Task.CompletedTask;
    }
}
