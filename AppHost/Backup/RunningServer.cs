using System.Globalization;

namespace AudioStream.AppHost.Backup;

/// <summary>
/// What a live server wrote in its data directory's <c>postmaster.pid</c>: process id (line 1), port (4),
/// listen address (6) and status (8: <c>ready</c>, <c>starting</c>, <c>stopping</c>).
/// </summary>
internal sealed record RunningServer(int ProcessId, int Port, string Host, string Status)
{
    public bool IsReady => Status == "ready";

    /// <summary>The server running on <paramref name="dataDirectory"/>; null when none is (no file, or a stale one).</summary>
    public static RunningServer? TryRead(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "postmaster.pid");
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        if (lines.Length < 8
            || !int.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out var processId)
            || !int.TryParse(lines[3], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || !Directory.Exists($"/proc/{processId.ToString(CultureInfo.InvariantCulture)}"))
        {
            // Left behind by a server that was killed: PostgreSQL itself ignores it at the next start.
            return null;
        }
        // The app's server listens on 127.0.0.1 only; a private one (another backup's) on its socket folder (line 5) only.
        var listen = lines[5].Split(',', StringSplitOptions.TrimEntries)[0];
        var host = listen switch
        {
            "" => lines[4].Trim(),
            "*" or "0.0.0.0" => "127.0.0.1",
            _ => listen,
        };
        return new RunningServer(processId, port, host, lines[7].Trim());
    }
}
