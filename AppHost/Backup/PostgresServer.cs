using System.Globalization;
using Microsoft.Extensions.Logging;

namespace AudioStream.AppHost.Backup;

/// <summary>
/// A PostgreSQL server to dump from or restore into: the app's own when it is running (found through the data
/// directory's <c>postmaster.pid</c>, which names its port: DCP picks a new one at every start), otherwise a private one
/// started on the data directory for as long as this object lives, listening on no TCP port, only on a Unix socket in a
/// folder of its own.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class PostgresServer : IAsyncDisposable
{
    private const int PrivatePort = 5432;
    private readonly BackupSettings _settings;
    private readonly string _dataDirectory;
    private readonly string? _socketDirectory;

    private PostgresServer(BackupSettings settings, string dataDirectory, PostgresEndpoint endpoint, string? socketDirectory)
    {
        _settings = settings;
        _dataDirectory = dataDirectory;
        _socketDirectory = socketDirectory;
        Endpoint = endpoint;
    }

    public PostgresEndpoint Endpoint { get; }

    /// <summary>True when the app's server was running (the backup was taken live).</summary>
    public bool WasRunning => _socketDirectory is null;

    /// <summary>Attaches to the app's running server, or starts a private one on its data.</summary>
    public static async Task<PostgresServer> AttachOrStartAsync(
        BackupSettings settings, string password, ILogger logger, CancellationToken cancellationToken)
    {
        var dataDirectory = settings.PostgresDataDirectory;
        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            throw new InvalidOperationException($"There is no PostgreSQL data at {dataDirectory}: nothing to back up.");
        }
        if (RunningServer.TryRead(dataDirectory) is { } running)
        {
            if (!running.IsReady)
            {
                throw new InvalidOperationException($"PostgreSQL at {dataDirectory} is {running.Status}; try again in a moment.");
            }
            logger.LogInformation("Backing up the running PostgreSQL (process {Pid}, port {Port})", running.ProcessId, running.Port);
            return new PostgresServer(settings, dataDirectory, new PostgresEndpoint(running.Host, running.Port, password), null);
        }
        return await StartPrivateAsync(settings, dataDirectory, password, logger, cancellationToken);
    }

    /// <summary>Starts a private server on <paramref name="dataDirectory"/>, which must not be in use.</summary>
    public static async Task<PostgresServer> StartPrivateAsync(
        BackupSettings settings, string dataDirectory, string password, ILogger logger, CancellationToken cancellationToken)
    {
        if (RunningServer.TryRead(dataDirectory) is { } running)
        {
            throw new InvalidOperationException($"PostgreSQL (process {running.ProcessId}) is running on {dataDirectory}; stop the app first.");
        }
        var socketDirectory = Directory.CreateTempSubdirectory("audiostream-pg-").FullName;
        try
        {
            if (settings.RunAsPostgresUser)
            {
                await ExternalProgram.RunAsync("chown", ["postgres:postgres", socketDirectory], cancellationToken);
            }
            logger.LogInformation("Starting a private PostgreSQL on {DataDirectory} (socket in {SocketDirectory})", dataDirectory, socketDirectory);
            await ExternalProgram.RunAsync(settings.Program("pg_ctl"),
                ["start", "-D", dataDirectory, "-w", "-t", "120", "-s", "-l", Path.Combine(socketDirectory, "postgres.log"),
                 "-o", $"-c listen_addresses='' -c unix_socket_directories='{socketDirectory}' -p {PrivatePort.ToString(CultureInfo.InvariantCulture)}"],
                cancellationToken, asPostgresUser: settings.RunAsPostgresUser);
        }
        catch (InvalidOperationException exception)
        {
            var log = Path.Combine(socketDirectory, "postgres.log");
            var detail = File.Exists(log) ? await File.ReadAllTextAsync(log, CancellationToken.None) : "";
            Directory.Delete(socketDirectory, recursive: true);
            throw new InvalidOperationException($"{exception.Message} {detail}".Trim(), exception);
        }
        return new PostgresServer(settings, dataDirectory, new PostgresEndpoint(socketDirectory, PrivatePort, password), socketDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        if (_socketDirectory is null)
        {
            return;
        }
        try
        {
            await ExternalProgram.RunAsync(_settings.Program("pg_ctl"), ["stop", "-D", _dataDirectory, "-m", "fast", "-w", "-s"],
                CancellationToken.None, asPostgresUser: _settings.RunAsPostgresUser);
        }
        finally
        {
            Directory.Delete(_socketDirectory, recursive: true);
        }
    }
}
