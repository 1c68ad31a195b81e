using AudioStream.MediaService.Apis;
using AudioStream.MediaService.Infrastructure;
using AudioStream.MediaService.Model;
using AudioStream.ServiceDefaults.Security;
using AudioStream.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AudioStream.MediaService.Tests.Apis;

/// <summary>The per-user stream key limit against a real PostgreSQL, with creations arriving all at once.</summary>
public sealed class StreamKeyLimitTests : IAsyncLifetime
{
    private readonly ThrowawayDatabase<MediaDbContext> _database = new("mediadb", options => new MediaDbContext(options));

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    [Fact]
    public async Task Twenty_parallel_creations_leave_exactly_ten_keys_and_refuse_the_rest_with_409()
    {
        var user = new CurrentUser(Guid.NewGuid(), "keymaker", "session").ToPrincipal("test");
        var contexts = Enumerable.Range(0, 2 * StreamKeysApi.MaxKeysPerUser).Select(_ => _database.CreateContext()).ToArray();
        foreach (var context in contexts)
        {
            await context.Database.OpenConnectionAsync();
        }
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var creations = contexts.Select((db, i) => Task.Run(async () =>
        {
            await go.Task;
            return await StreamKeysApi.CreateAsync(new CreateStreamKeyRequest($"key {i}"), user, db, TimeProvider.System);
        })).ToArray();
        go.SetResult();
        var results = await Task.WhenAll(creations);
        foreach (var context in contexts)
        {
            await context.DisposeAsync();
        }

        Assert.Equal(StreamKeysApi.MaxKeysPerUser, results.Count(r => r.Result is Created<StreamKeyCreatedResponse>));
        Assert.All(results.Where(r => r.Result is not Created<StreamKeyCreatedResponse>),
            r => Assert.Equal(StatusCodes.Status409Conflict, Assert.IsType<ProblemHttpResult>(r.Result).StatusCode));
        await using var check = _database.CreateContext();
        Assert.Equal(StreamKeysApi.MaxKeysPerUser, await check.StreamKeys.CountAsync());
    }
}
