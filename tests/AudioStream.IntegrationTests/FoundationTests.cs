using System.Net;
using System.Text.Json;
using Npgsql;
using StackExchange.Redis;

namespace AudioStream.IntegrationTests;

[Collection(AppHostCollection.Name)]
public sealed class FoundationTests(AppHostFixture fixture)
{
    [Fact]
    public void Every_resource_of_the_topology_is_present()
    {
        string[] expected = ["postgres", "identitydb", "socialdb", "mediadb", "recordingdb", "redis",
            "identity", "social", "presence", "media", "recordings", "gateway"];
        Assert.Empty(expected.Except(fixture.ResourceNames));
    }

    [Fact]
    public async Task Gateway_answers_its_own_health()
    {
        using var client = fixture.CreateGatewayClient();
        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("identity", "IdentityDbContext")]
    [InlineData("social", "SocialDbContext")]
    [InlineData("presence", "StackExchange.Redis")]
    [InlineData("media", "MediaDbContext")]
    [InlineData("recordings", "RecordingDbContext")]
    public async Task Each_service_health_is_healthy_through_the_gateway_and_proves_its_dependency_to_operators(string area, string dependencyCheck)
    {
        using var client = fixture.CreateGatewayClient();
        using var response = await client.GetAsync(new Uri($"/api/{area}/health", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{area}: {(int)response.StatusCode} {body}");
        Assert.Equal("Healthy", JsonDocument.Parse(body).RootElement.GetProperty("status").GetString());

        // The entries are for operators: on the service's own endpoint, which the gateway does not route.
        using var internalClient = fixture.App.CreateHttpClient(area, "http");
        var detailed = await internalClient.GetStringAsync(new Uri("/health", UriKind.Relative));
        using var report = JsonDocument.Parse(detailed);
        var entries = report.RootElement.GetProperty("entries");
        Assert.True(entries.TryGetProperty(dependencyCheck, out var check), $"{area} has no '{dependencyCheck}' check: {detailed}");
        Assert.Equal("Healthy", check.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("identitydb", "users")]
    [InlineData("socialdb", "friend_requests")]
    [InlineData("mediadb", "streams")]
    [InlineData("recordingdb", "recordings")]
    public async Task Each_database_is_migrated_and_answers_a_query(string database, string table)
    {
        var connectionString = await fixture.App.GetConnectionStringAsync(database);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
        var count = (long)(await command.ExecuteScalarAsync())!;
        Assert.True(count >= 0);
        await using var migrations = new NpgsqlCommand("SELECT count(*) FROM \"__EFMigrationsHistory\"", connection);
        Assert.True((long)(await migrations.ExecuteScalarAsync())! >= 1);
    }

    [Fact]
    public async Task Redis_stores_and_returns_a_value()
    {
        var connectionString = await fixture.App.GetConnectionStringAsync("redis");
        await using var redis = await ConnectionMultiplexer.ConnectAsync(connectionString!);
        var database = redis.GetDatabase();
        var key = $"test:{Guid.NewGuid()}";
        await database.StringSetAsync(key, "round trip", TimeSpan.FromMinutes(1));
        Assert.Equal("round trip", (string?)await database.StringGetAsync(key));
    }

    [Fact]
    public async Task Unknown_api_paths_are_not_served_by_the_gateway()
    {
        using var client = fixture.CreateGatewayClient();
        using var response = await client.GetAsync(new Uri("/api/nothing-here", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
