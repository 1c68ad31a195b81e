using System.Diagnostics;

namespace AudioStream.AppHost.Backup;

/// <summary>Runs one of the machine's programs to completion; as the postgres user (via setpriv) when asked and running as root.</summary>
internal static class ExternalProgram
{
    public static async Task<string> RunAsync(
        string program, IEnumerable<string> arguments, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null, bool asPostgresUser = false)
    {
        var start = new ProcessStartInfo
        {
            FileName = asPostgresUser ? "setpriv" : program,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (asPostgresUser)
        {
            // PostgreSQL's server programs refuse to run as root.
            foreach (var argument in (string[])["--reuid=postgres", "--regid=postgres", "--init-groups", program])
            {
                start.ArgumentList.Add(argument);
            }
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(program)} failed with exit code {process.ExitCode}: {(await errors).Trim()} {(await output).Trim()}".TrimEnd());
        }
        return await output;
    }
}
