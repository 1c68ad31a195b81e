using AudioStream.SocialService.Infrastructure;
using AudioStream.SocialService.Model;
using AudioStream.Testing;
using Microsoft.EntityFrameworkCore;

namespace AudioStream.SocialService.Tests;

/// <summary>A throwaway PostgreSQL with the social schema migrated in, shared by one test class.</summary>
public sealed class SocialDatabase : IAsyncLifetime
{
    private readonly ThrowawayPostgres _server = new();
    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        await _server.InitializeAsync();
        _connectionString = await _server.CreateMigratedDatabaseAsync("socialdb", Create);
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    /// <summary>A context of its own (its own connection), as each concurrent request has; retrying, as Aspire configures it.</summary>
    public SocialDbContext CreateContext() => Create(_connectionString);

    public static SocialDbContext Create(string connectionString) =>
        new(new DbContextOptionsBuilder<SocialDbContext>().UseNpgsql(connectionString, npgsql => npgsql.EnableRetryOnFailure()).Options);

    /// <summary>Another empty database on the same server, for tests of the migrations themselves.</summary>
    public async Task<string> CreateEmptyDatabaseAsync(string name) => await _server.CreateDatabaseAsync(name);

    /// <summary>Two new members, as if each had signed in once.</summary>
    public async Task<(Guid A, Guid B)> TwoMembersAsync()
    {
        await using var db = CreateContext();
        var a = NewMember();
        var b = NewMember();
        db.Members.AddRange(a, b);
        await db.SaveChangesAsync();
        return (a.Id, b.Id);
    }

    private static Member NewMember()
    {
        var name = "u" + Guid.NewGuid().ToString("N")[..16];
        return new Member { Id = Guid.NewGuid(), UserName = name, NormalizedUserName = name.ToUpperInvariant() };
    }
}
