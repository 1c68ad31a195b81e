using System.Globalization;
using AudioStream.AppHost.Infrastructure;
using Npgsql;

namespace AudioStream.AppHost.Backup;

/// <summary>
/// How pg_dump, pg_restore and Npgsql reach a server: the app's on loopback TCP, or a private one on a Unix socket
/// folder (<paramref name="Host"/> is then that folder). The password travels in the child's environment only.
/// </summary>
internal sealed record PostgresEndpoint(string Host, int Port, string Password)
{
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = Host,
        Port = Port,
        Username = LocalPostgresResource.UserName,
        Password = Password,
        Database = database,
        Pooling = false,
    }.ConnectionString;

    /// <summary>Connection options for the PostgreSQL client programs; <c>--no-password</c> so they never prompt.</summary>
    public IEnumerable<string> ClientArguments =>
        ["--host", Host, "--port", Port.ToString(CultureInfo.InvariantCulture), "--username", LocalPostgresResource.UserName, "--no-password"];

    public IReadOnlyDictionary<string, string> ClientEnvironment => new Dictionary<string, string>
    {
        ["PGPASSWORD"] = Password,
        ["PGCONNECT_TIMEOUT"] = "10",
    };
}
