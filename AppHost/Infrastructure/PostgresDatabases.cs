using Npgsql;

namespace AudioStream.AppHost.Infrastructure;

/// <summary>Creates each service's database once the server answers; the services' migrations then own the schema.</summary>
internal static class PostgresDatabases
{
    public static async Task CreateMissingAsync(LocalPostgresResource server, CancellationToken cancellationToken)
    {
        var connectionString = await server.ConnectionStringExpression.GetValueAsync(cancellationToken);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        foreach (var databaseName in server.Databases.Values)
        {
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
            exists.Parameters.AddWithValue("name", databaseName);
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                // Database names come from the AppHost's own code, never from users; identifiers cannot be parameters.
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{databaseName}\"", connection);
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }
}
