using AudioStream.RecordingService.Live;
using AudioStream.ServiceDefaults.Messaging;
using AudioStream.Testing;
using StackExchange.Redis;

namespace AudioStream.RecordingService.Tests;

/// <summary>The recorder leases' Lua scripts (<see cref="RedisLease"/>) against a real Redis server.</summary>
public sealed class RecordingLeasesTests : IClassFixture<ThrowawayRedis>
{
    private readonly IConnectionMultiplexer _redis;
    private readonly RecordingLeases _first;
    private readonly RecordingLeases _second;

    public RecordingLeasesTests(ThrowawayRedis server)
    {
        _redis = server.Connection;
        _first = new RecordingLeases(_redis);
        _second = new RecordingLeases(_redis);
    }

    [Fact]
    public async Task A_free_lease_goes_to_the_first_instance_and_is_refused_to_another()
    {
        var stream = Guid.NewGuid();

        Assert.True(await _first.TryTakeAsync(stream));
        Assert.False(await _second.TryTakeAsync(stream));
        Assert.True(await _first.TryTakeAsync(stream)); // its own: taken again means extended

        var key = MediaRegistryKeys.RecordingLease(stream);
        Assert.Equal(_first.InstanceId, (string?)await _redis.GetDatabase().StringGetAsync(key));
        var ttl = await _redis.GetDatabase().KeyTimeToLiveAsync(key);
        Assert.InRange(ttl!.Value.TotalMilliseconds, 1, MediaRegistryKeys.Lease.TotalMilliseconds);
    }

    [Fact]
    public async Task Only_the_holder_extends_or_releases_a_lease()
    {
        var stream = Guid.NewGuid();
        var key = MediaRegistryKeys.RecordingLease(stream);
        Assert.True(await _first.TryTakeAsync(stream));
        await _redis.GetDatabase().KeyExpireAsync(key, TimeSpan.FromSeconds(1));

        Assert.Equal([stream], await _second.RenewAsync([stream]));
        Assert.False(await _second.ReleaseAsync(stream));
        Assert.True((await _redis.GetDatabase().KeyTimeToLiveAsync(key))!.Value <= TimeSpan.FromSeconds(1), "another instance extended the lease");

        Assert.Empty(await _first.RenewAsync([stream]));
        Assert.True((await _redis.GetDatabase().KeyTimeToLiveAsync(key))!.Value > TimeSpan.FromSeconds(1), "the holder did not extend its lease");
        Assert.True(await _first.ReleaseAsync(stream));
        Assert.False(await _redis.GetDatabase().KeyExistsAsync(key));
    }

    [Fact]
    public async Task A_lapsed_lease_is_taken_over_and_its_old_holder_can_no_longer_extend_it()
    {
        var stream = Guid.NewGuid();
        var key = MediaRegistryKeys.RecordingLease(stream);
        var database = _redis.GetDatabase();
        Assert.True(await database.TryTakeAsync(key, _first.InstanceId, TimeSpan.FromSeconds(30)));
        Assert.False(await _second.TryTakeAsync(stream));

        // The first holder stops renewing: its lease lapses (made to lapse now, not raced against a short timer).
        Assert.True(await database.KeyExpireAsync(key, TimeSpan.FromMilliseconds(1)));
        for (var waited = 0; waited < 100 && await database.KeyExistsAsync(key); waited++)
        {
            await Task.Delay(10);
        }

        Assert.True(await _second.TryTakeAsync(stream));
        Assert.Equal([stream], await _first.RenewAsync([stream]));
        Assert.False(await _first.ReleaseAsync(stream));
        Assert.Equal(_second.InstanceId, (string?)await database.StringGetAsync(key));
    }

    [Fact]
    public async Task Renewing_reports_exactly_the_leases_no_longer_held()
    {
        var mine = Guid.NewGuid();
        var theirs = Guid.NewGuid();
        var lapsed = Guid.NewGuid();
        Assert.True(await _first.TryTakeAsync(mine));
        Assert.True(await _second.TryTakeAsync(theirs));

        var lost = await _first.RenewAsync([mine, theirs, lapsed]);

        Assert.Equal(new[] { theirs, lapsed }.Order(), lost.Order());
        Assert.False(await _redis.GetDatabase().KeyExistsAsync(MediaRegistryKeys.RecordingLease(lapsed)), "renewing created a lease");
    }

    [Fact]
    public async Task A_stream_is_on_a_node_while_its_session_key_exists()
    {
        var stream = Guid.NewGuid();
        Assert.False(await _first.IsStreamOnANodeAsync(stream));

        await _redis.GetDatabase().StringSetAsync(MediaRegistryKeys.StreamSession(stream), "node-1", TimeSpan.FromSeconds(6));
        Assert.True(await _first.IsStreamOnANodeAsync(stream));

        await _redis.GetDatabase().KeyDeleteAsync(MediaRegistryKeys.StreamSession(stream));
        Assert.False(await _first.IsStreamOnANodeAsync(stream));
    }
}
