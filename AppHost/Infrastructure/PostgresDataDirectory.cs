using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AudioStream.AppHost.Infrastructure;

/// <summary>Where the machine's PostgreSQL programs are: <c>Postgres:BinDirectory</c>, else the newest under /usr/lib/postgresql.</summary>
internal sealed class PostgresBinaries(string? configuredDirectory)
{
    public string Directory { get; } = configuredDirectory ?? FindNewest();

    public string Postgres => Path.Combine(Directory, "postgres");

    public string InitDb => Path.Combine(Directory, "initdb");

    private static string FindNewest()
    {
        const string Root = "/usr/lib/postgresql";
        var newest = System.IO.Directory.Exists(Root)
            ? System.IO.Directory.GetDirectories(Root)
                .Where(version => File.Exists(Path.Combine(version, "bin", "postgres")))
                .OrderByDescending(version => int.TryParse(Path.GetFileName(version), out var major) ? major : 0)
                .FirstOrDefault()
            : null;
        return newest is null
            ? throw new InvalidOperationException(
                "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres). Run ./run.sh, which installs postgresql-15, or set Postgres:BinDirectory.")
            : Path.Combine(newest, "bin");
    }
}

/// <summary>
/// Initialises the data directory once (initdb) and, on every later start, sets the superuser password to the current
/// secret parameter, so a regenerated secret never locks the services out of existing data.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class PostgresDataDirectory(PostgresBinaries binaries, string path, bool runAsPostgresUser, ILogger logger)
{
    public async Task EnsureReadyAsync(string password, CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(path, "PG_VERSION")))
        {
            await RunAsync(binaries.Postgres, ["--single", "-D", path, "-c", "unix_socket_directories=", "postgres"],
                $"ALTER USER {LocalPostgresResource.UserName} WITH PASSWORD '{password.Replace("'", "''", StringComparison.Ordinal)}';\n",
                cancellationToken);
            return;
        }

        logger.LogInformation("Initialising a new PostgreSQL data directory at {Path}", path);
        Directory.CreateDirectory(path);
        var passwordFile = path + ".pwfile";
        PrivateFiles.WriteReplacing(passwordFile, password);
        try
        {
            if (runAsPostgresUser)
            {
                await RunAsync("chown", ["postgres:postgres", path, passwordFile], null, cancellationToken, asPostgres: false);
            }
            await RunAsync(binaries.InitDb,
                ["-D", path, "-U", LocalPostgresResource.UserName, "--auth=scram-sha-256", $"--pwfile={passwordFile}", "-E", "UTF8", "--no-locale"],
                null, cancellationToken);
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    private async Task RunAsync(string program, string[] arguments, string? input, CancellationToken cancellationToken, bool asPostgres = true)
    {
        var start = new ProcessStartInfo
        {
            FileName = asPostgres && runAsPostgresUser ? "setpriv" : program,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (asPostgres && runAsPostgresUser)
        {
            foreach (var argument in (string[])["--reuid=postgres", "--regid=postgres", "--init-groups", program])
            {
                start.ArgumentList.Add(argument);
            }
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(program)} failed with exit code {process.ExitCode}: {await errors}{await output}");
        }
        logger.LogDebug("{Program}: {Output}", Path.GetFileName(program), await output);
    }
}
