using System.Globalization;

namespace AudioStream.Benchmarks.MediaLoad;

/// <summary>CPU time of a process from /proc/&lt;pid&gt;/stat (user + system), in seconds.</summary>
internal static class ProcessCpu
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>The CPU seconds of every process in <paramref name="pids"/> together (all media nodes).</summary>
    public static double Seconds(IEnumerable<int> pids) => pids.Sum(Seconds);

    public static double Seconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name is in parentheses and may hold spaces: count fields after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long user = long.Parse(fields[11], CultureInfo.InvariantCulture);
        long system = long.Parse(fields[12], CultureInfo.InvariantCulture);
        return (user + system) / TicksPerSecond;
    }

    /// <summary>The MediaService processes the AppHost started, one per media node (the executable is named MediaService).</summary>
    public static IReadOnlyList<int> FindMediaServices()
    {
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out int pid)
                && File.Exists($"{dir}/comm")
                && File.ReadAllText($"{dir}/comm").Trim() == "MediaService")
            {
                pids.Add(pid);
            }
        }

        return pids;
    }
}
