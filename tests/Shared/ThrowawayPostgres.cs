using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AudioStream.Testing;

/// <summary>
/// A real PostgreSQL server of the machine's own binaries (<c>/usr/lib/postgresql/*/bin</c>, installed by
/// <c>./test.sh</c>), on a fresh data directory in a temporary folder, listening on no TCP port, only on a Unix
/// socket in that folder; stopped and deleted on dispose. For tests of database races without the whole AppHost.
/// Run as root, the server runs as the <c>postgres</c> user (PostgreSQL refuses root).
/// </summary>
public sealed class ThrowawayPostgres : IAsyncLifetime
{
    private const int Port = 5432;
    private readonly string _root = Directory.CreateTempSubdirectory("audiostream-test-pg-").FullName;
    private readonly bool _asPostgresUser = Environment.UserName == "root";
    private string _binaries = "";
    private bool _started;

    private string DataDirectory => Path.Combine(_root, "data");

    /// <summary>A connection string to <paramref name="database"/> (see <see cref="CreateDatabaseAsync"/>).</summary>
    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = _root, Port = Port, Username = "postgres", Database = database, MaxPoolSize = 64 }.ToString();

    public async Task InitializeAsync()
    {
        _binaries = FindBinaries();
        if (_asPostgresUser)
        {
            await RunAsync("chown", ["postgres:postgres", _root], asPostgres: false);
        }
        await RunAsync(Path.Combine(_binaries, "initdb"), ["-D", DataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"]);
        await RunAsync(Path.Combine(_binaries, "pg_ctl"),
            ["start", "-D", DataDirectory, "-w", "-t", "60", "-s", "-l", Path.Combine(_root, "postgres.log"),
             "-o", $"-c listen_addresses='' -c unix_socket_directories='{_root}' -p {Port} -c fsync=off -c max_connections=200"]);
        _started = true;
    }

    /// <summary>Creates an empty database; each test class takes its own, so tests never see each other's rows.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>Creates a database and applies <typeparamref name="TContext"/>'s migrations to it, as the services do.</summary>
    public async Task<string> CreateMigratedDatabaseAsync<TContext>(string name, Func<string, TContext> createContext)
        where TContext : DbContext
    {
        var connectionString = await CreateDatabaseAsync(name);
        await using var db = createContext(connectionString);
        await db.Database.MigrateAsync();
        return connectionString;
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_started)
            {
                await RunAsync(Path.Combine(_binaries, "pg_ctl"), ["stop", "-D", DataDirectory, "-m", "immediate", "-w", "-s"]);
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            Directory.Delete(_root, recursive: true);
        }
    }

    private static string FindBinaries()
    {
        const string Root = "/usr/lib/postgresql";
        var newest = Directory.Exists(Root)
            ? Directory.GetDirectories(Root)
                .Where(version => File.Exists(Path.Combine(version, "bin", "postgres")))
                .OrderByDescending(version => int.TryParse(Path.GetFileName(version), out var major) ? major : 0)
                .FirstOrDefault()
            : null;
        return newest is null
            ? throw new InvalidOperationException("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres): run ./test.sh, which installs postgresql-15.")
            : Path.Combine(newest, "bin");
    }

    private async Task RunAsync(string program, string[] arguments, bool asPostgres = true)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true };
        if (asPostgres && _asPostgresUser)
        {
            start.FileName = "setpriv";
            foreach (var argument in (string[])["--reuid=postgres", "--regid=postgres", "--init-groups", program])
            {
                start.ArgumentList.Add(argument);
            }
        }
        else
        {
            start.FileName = program;
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            var log = Path.Combine(_root, "postgres.log");
            throw new InvalidOperationException(
                $"{Path.GetFileName(program)} failed ({process.ExitCode}): {await errors}{await output}{(File.Exists(log) ? File.ReadAllText(log) : "")}");
        }
    }
}
