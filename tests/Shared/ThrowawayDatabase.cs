using Microsoft.EntityFrameworkCore;

namespace AudioStream.Testing;

/// <summary>
/// A <see cref="ThrowawayPostgres"/> with one database migrated for <typeparamref name="TContext"/>, as the service
/// migrates its own: a test class's fixture (or a field it initializes), for tests of database races and migrations.
/// </summary>
public class ThrowawayDatabase<TContext>(string name, Func<DbContextOptions<TContext>, TContext> create) : IAsyncLifetime
    where TContext : DbContext
{
    private readonly ThrowawayPostgres _server = new();
    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        await _server.InitializeAsync();
        _connectionString = await _server.CreateMigratedDatabaseAsync(name, Create);
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    /// <summary>A context of its own (its own connection), as each concurrent request has.</summary>
    public TContext CreateContext() => Create(_connectionString);

    /// <summary>A context on another database of the server; retrying, as Aspire configures the services' contexts.</summary>
    public TContext Create(string connectionString) =>
        create(new DbContextOptionsBuilder<TContext>().UseNpgsql(connectionString, npgsql => npgsql.EnableRetryOnFailure()).Options);

    /// <summary>Another empty database on the same server, for tests of the migrations themselves.</summary>
    public Task<string> CreateEmptyDatabaseAsync(string databaseName) => _server.CreateDatabaseAsync(databaseName);
}
