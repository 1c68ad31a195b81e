using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AudioStream.ServiceDefaults;

/// <summary>
/// Migrations run only when asked: the <c>migrate</c> command-line verb (apply and exit), or
/// <c>Database:MigrateAtStartup=true</c>, which the AppHost sets on purpose. A plain start never changes a schema.
/// </summary>
public static class DatabaseMigrations
{
    public const string MigrateVerb = "migrate";
    public const string MigrateAtStartupKey = "Database:MigrateAtStartup";

    /// <summary>The PostgreSQL advisory lock key migrations hold (any constant; each service has its own database).</summary>
    private const long MigrationLockKey = 0x41_75_64_69_6F_4D_69_67; // "AudioMig"

    public static bool IsMigrateOnly(string[] args) => args is [MigrateVerb, ..];

    /// <returns><c>true</c> when the process was started only to migrate and should now exit.</returns>
    public static async Task<bool> MigrateIfRequestedAsync<TContext>(this WebApplication app, string[] args)
        where TContext : DbContext
    {
        var migrateOnly = IsMigrateOnly(args);
        if (!migrateOnly && !app.Configuration.GetValue<bool>(MigrateAtStartupKey))
        {
            return false;
        }

        await using var scope = app.Services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<TContext>();
        // Replicas start together: one migrates while the others wait, then find nothing pending (PostgreSQL session lock).
        var postgres = context.Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) == true;
        await context.Database.OpenConnectionAsync();
        try
        {
            if (postgres)
            {
                await context.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({MigrationLockKey})");
            }
            var pending = (await context.Database.GetPendingMigrationsAsync()).ToList();
            if (pending.Count > 0)
            {
                app.Logger.LogInformation("Applying {Count} migration(s) to {Context}: {Migrations}",
                    pending.Count, typeof(TContext).Name, string.Join(", ", pending));
                await context.Database.MigrateAsync();
            }
        }
        finally
        {
            // Closing the session releases the lock too; unlocking first frees the next replica at once.
            if (postgres)
            {
                await context.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({MigrationLockKey})");
            }
            await context.Database.CloseConnectionAsync();
        }
        return migrateOnly;
    }
}
