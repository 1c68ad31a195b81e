using System.Diagnostics;
using Aspire.Hosting.ApplicationModel;

namespace AudioStream.MediaTests;

/// <summary>The operating-system processes of an AppHost's project resources, for tests that kill one (kill -9: a crash).</summary>
internal static class ServiceProcesses
{
    /// <summary>
    /// Each instance (replica) of <paramref name="resourceName"/>: its resource id (for start commands) and the pid of
    /// the service itself (the process DCP started, or its child when that is a <c>dotnet</c> launcher). An instance whose
    /// service is not running (exited, or its launcher has not started it yet) is left out.
    /// </summary>
    public static async Task<IReadOnlyList<(string ResourceId, int Pid)>> FindAsync(AppHostFixture fixture, string resourceName)
    {
        var found = new Dictionary<string, int>();
        using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await foreach (var update in fixture.App.ResourceNotifications.WatchAsync(quiet.Token))
            {
                if (update.Resource.Name == resourceName
                    && update.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } value
                    && int.TryParse(value.ToString(), out var pid))
                {
                    found[update.ResourceId] = pid;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The watch replays every resource's latest state and then waits for changes: two seconds is plenty.
        }
        return [.. found.Select(f => (f.Key, ServicePid(f.Value))).Where(f => f.Item2 > 0)];
    }

    public static async Task KillAsync(int pid)
    {
        using var process = Process.GetProcessById(pid);
        process.Kill();
        await process.WaitForExitAsync();
    }

    private static int ServicePid(int launched)
    {
        if (!IsAlive(launched))
        {
            return 0;
        }
        if (!CommandLine(launched).StartsWith("dotnet", StringComparison.Ordinal))
        {
            return launched;
        }
        // `dotnet run` (or exec) started the service as a child: that is the process to kill.
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && ParentOf(pid) == launched)
            {
                return pid;
            }
        }
        return 0; // the launcher is up and its service not yet (a restart under way): not running
    }

    private static bool IsAlive(int pid) => File.Exists($"/proc/{pid}/stat");

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline");
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static int ParentOf(int pid)
    {
        try
        {
            // "pid (comm) state ppid …": the command may hold spaces and parentheses, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or FormatException or ArgumentOutOfRangeException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
