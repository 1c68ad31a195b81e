using System.Diagnostics;
using System.Reflection;

namespace AudioStream.BackupTests;

/// <summary>Runs the built AppHost's command-line verbs (<c>backup</c>, <c>restore</c>) as an operator would, in a process of their own.</summary>
internal static class AppHostCommand
{
    public sealed record Result(int ExitCode, string Output, string Errors);

    public static Task<Result> RunAsync(params string[] arguments) => RunAsync(new Dictionary<string, string>(), arguments);

    /// <param name="environment">Settings passed as an operator would keep them off the command line (the PostgreSQL password).</param>
    public static async Task<Result> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await output, await errors);
    }

    /// <summary>AppHost/bin/{the configuration these tests were built in}/{framework}/AppHost.</summary>
    private static string Executable
    {
        get
        {
            var configuration = typeof(AppHostCommand).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
            var framework = Path.GetFileName(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
            return Path.Combine(Projects.AppHost.ProjectPath, "bin", configuration, framework, "AppHost");
        }
    }
}
