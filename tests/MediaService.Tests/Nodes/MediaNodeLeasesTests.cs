using AudioStream.MediaService.Nodes;
using AudioStream.Testing;
using StackExchange.Redis;
using Keys = AudioStream.ServiceDefaults.Messaging.MediaRegistryKeys;

namespace AudioStream.MediaService.Tests.Nodes;

/// <summary>The registry's lease scripts against a real Redis: only the holder extends or releases, lapses are seen.</summary>
public sealed class MediaNodeLeasesTests(ThrowawayRedis redis) : IClassFixture<ThrowawayRedis>
{
    private IDatabase Db => redis.Connection.GetDatabase();

    private MediaNodeLeases Node(string id) => new(redis.Connection, id);

    private static string UniqueId(string name) => $"{name}-{Guid.NewGuid():N}";

    private static string UniqueOwner() => $"Owner{Guid.NewGuid():N}"[..20];

    [Fact]
    public async Task A_node_extends_its_streams_leases_and_another_node_cannot_take_them()
    {
        var (a, b) = (Node(UniqueId("a")), Node(UniqueId("b")));
        var session = Guid.NewGuid();
        var owner = UniqueOwner();
        await a.ClaimStreamAsync(session, owner, streamsNow: 1);
        await Db.KeyExpireAsync(Keys.StreamSession(session), TimeSpan.FromSeconds(1));

        Assert.False(Assert.Single(await b.ExtendStreamsAsync([(session, owner)], reclaimAbsent: true)));
        Assert.Equal(a.NodeId, (string?)await Db.StringGetAsync(Keys.StreamSession(session)));
        Assert.True(await Db.KeyTimeToLiveAsync(Keys.StreamSession(session)) <= TimeSpan.FromSeconds(1));

        Assert.True(Assert.Single(await a.ExtendStreamsAsync([(session, owner)], reclaimAbsent: false)));
        Assert.InRange((await Db.KeyTimeToLiveAsync(Keys.StreamSession(session)))!.Value, TimeSpan.FromSeconds(5), Keys.Lease);
        // The owner key is case-blind and points at the session, under the same lease.
        Assert.Equal(session.ToString("D"), (string?)await Db.StringGetAsync(Keys.StreamOwner(owner.ToUpperInvariant())));
        Assert.InRange((await Db.KeyTimeToLiveAsync(Keys.StreamOwner(owner)))!.Value, TimeSpan.FromSeconds(5), Keys.Lease);
    }

    [Fact]
    public async Task A_lapsed_stream_lease_is_taken_back_only_when_the_node_kept_its_own()
    {
        var a = Node(UniqueId("a"));
        var session = Guid.NewGuid();
        var owner = UniqueOwner();
        await a.ClaimStreamAsync(session, owner, streamsNow: 1);
        await Db.KeyDeleteAsync([Keys.StreamSession(session), Keys.StreamOwner(owner)]);

        // The node's own lease had lapsed: a sweep may have ended the stream, so it is not the node's any more.
        Assert.False(Assert.Single(await a.ExtendStreamsAsync([(session, owner)], reclaimAbsent: false)));
        Assert.False(await Db.KeyExistsAsync(Keys.StreamSession(session)));

        // It held its lease throughout (the key was lost some other way): it takes the stream back, owner key too.
        Assert.True(Assert.Single(await a.ExtendStreamsAsync([(session, owner)], reclaimAbsent: true)));
        Assert.Equal(a.NodeId, (string?)await Db.StringGetAsync(Keys.StreamSession(session)));
        Assert.Equal(session.ToString("D"), (string?)await Db.StringGetAsync(Keys.StreamOwner(owner)));
    }

    [Fact]
    public async Task Release_deletes_only_the_keys_that_still_name_the_node_and_its_stream()
    {
        var (a, b) = (Node(UniqueId("a")), Node(UniqueId("b")));
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        var owner = UniqueOwner();
        await a.ClaimStreamAsync(first, owner, streamsNow: 1);
        // The owner went live again elsewhere before the first stream's end was released.
        await b.ClaimStreamAsync(second, owner, streamsNow: 1);
        await Db.StringSetAsync(Keys.StreamSession(first), b.NodeId);

        await a.ReleaseStreamAsync(first, owner, streamsNow: 0);

        Assert.Equal(b.NodeId, (string?)await Db.StringGetAsync(Keys.StreamSession(first)));
        Assert.Equal(second.ToString("D"), (string?)await Db.StringGetAsync(Keys.StreamOwner(owner)));
        await b.ReleaseStreamAsync(second, owner, streamsNow: 0);
        Assert.False(await Db.KeyExistsAsync(Keys.StreamOwner(owner)));
    }

    [Fact]
    public async Task A_heartbeat_tells_a_held_lease_from_a_lapsed_one_and_lapsed_nodes_are_found_once_and_forgotten()
    {
        var (a, b) = (Node(UniqueId("a")), Node(UniqueId("b")));
        Assert.False(await a.HeartbeatAsync(Record(a.NodeId, streams: 0)));
        Assert.True(await a.HeartbeatAsync(Record(a.NodeId, streams: 2)));
        Assert.Equal("2", (string?)await Db.HashGetAsync(Keys.Node(a.NodeId), Keys.NodeFields.Streams));
        Assert.InRange((await Db.KeyTimeToLiveAsync(Keys.Node(a.NodeId)))!.Value, TimeSpan.FromSeconds(5), Keys.Lease);
        await b.HeartbeatAsync(Record(b.NodeId, streams: 1));

        await Db.KeyDeleteAsync(Keys.Node(b.NodeId)); // b stopped renewing
        var lost = await a.FindLostNodesAsync();
        Assert.Contains(b.NodeId, lost);
        Assert.DoesNotContain(a.NodeId, lost);

        // Only one sweeper at a time.
        Assert.True(await a.TryTakeSweepAsync(TimeSpan.FromSeconds(5)));
        Assert.False(await b.TryTakeSweepAsync(TimeSpan.FromSeconds(5)));
        await b.ReleaseSweepAsync(); // not b's to release
        Assert.Equal(a.NodeId, (string?)await Db.StringGetAsync(Keys.Sweep));
        await a.ReleaseSweepAsync();
        Assert.False(await Db.KeyExistsAsync(Keys.Sweep));

        await a.ForgetLostNodeAsync(b.NodeId);
        Assert.DoesNotContain(b.NodeId, await a.FindLostNodesAsync());
        Assert.False(await Db.SetContainsAsync(Keys.Nodes, b.NodeId));
    }

    [Fact]
    public async Task A_node_that_came_back_before_the_sweep_is_not_forgotten()
    {
        var (a, b) = (Node(UniqueId("a")), Node(UniqueId("b")));
        await b.HeartbeatAsync(Record(b.NodeId, streams: 0));
        await Db.KeyDeleteAsync(Keys.Node(b.NodeId));
        Assert.Contains(b.NodeId, await a.FindLostNodesAsync());

        Assert.False(await b.HeartbeatAsync(Record(b.NodeId, streams: 0))); // back, and it knows its lease lapsed
        await a.ForgetLostNodeAsync(b.NodeId);

        Assert.True(await Db.SetContainsAsync(Keys.Nodes, b.NodeId));
        Assert.DoesNotContain(b.NodeId, await a.FindLostNodesAsync());
    }

    [Fact]
    public async Task A_node_that_leaves_cleanly_is_not_lost()
    {
        var (a, b) = (Node(UniqueId("a")), Node(UniqueId("b")));
        await b.HeartbeatAsync(Record(b.NodeId, streams: 0));
        await b.DeregisterAsync();
        Assert.False(await Db.KeyExistsAsync(Keys.Node(b.NodeId)));
        Assert.DoesNotContain(b.NodeId, await a.FindLostNodesAsync());
    }

    private static MediaNodeRecord Record(string id, int streams) => new(
        id, "http://localhost:5105", "http://localhost:5115", "127.0.0.1:50000", Keys.NodeFields.KindCpu, streams, 16, Keys.NodeFields.StateServing);
}
