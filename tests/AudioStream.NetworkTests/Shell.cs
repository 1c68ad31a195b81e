using System.Diagnostics;

namespace AudioStream.NetworkTests;

/// <summary>Runs the machine's network tools (ip, nft, certutil) and fails loudly with what they printed.</summary>
internal static class Shell
{
    public static async Task<string> RunAsync(string file, params string[] arguments)
    {
        var (exitCode, output, error) = await TryRunAsync(file, arguments);
        return exitCode == 0
            ? output
            : throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {exitCode}: {error.Trim()}");
    }

    public static async Task<(int ExitCode, string Output, string Error)> TryRunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
