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
        var pending = (await context.Database.GetPendingMigrationsAsync()).ToList();
        if (pending.Count > 0)
        {
            app.Logger.LogInformation("Applying {Count} migration(s) to {Context}: {Migrations}",
                pending.Count, typeof(TContext).Name, string.Join(", ", pending));
            await context.Database.MigrateAsync();
        }
        return migrateOnly;
    }
}
