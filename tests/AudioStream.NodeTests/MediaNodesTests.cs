using System.Diagnostics;
using System.Net;
using System.Text.Json;
using AudioStream.MediaService.WebRtc.Client;
using AudioStream.ServiceDefaults;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StackExchange.Redis;
using Xunit.Abstractions;
using Keys = AudioStream.ServiceDefaults.Messaging.MediaRegistryKeys;

namespace AudioStream.NodeTests;

/// <summary>
/// Two media nodes behind one gateway (issue #13): streams are placed on different nodes, every request for a stream
/// reaches the node holding it, a node killed mid-stream loses only its own streams (ended <c>node-lost</c>, friends
/// told) and comes back by itself, and a draining node gets no new stream. Each test leaves both nodes serving.
/// </summary>
public sealed class MediaNodesTests(MediaNodesFixture fixture, ITestOutputHelper output) : IClassFixture<MediaNodesFixture>
{
    private static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Two_streams_land_on_different_nodes_and_each_streams_requests_reach_its_node()
    {
        await WaitForServingNodesAsync();
        var (alice, bob, carol) = await FriendsAsync();
        using (alice)
        using (bob)
        using (carol)
        {
            await using var aliceLive = await ToneBroadcast.StartAsync(alice);
            await using var bobLive = await ToneBroadcast.StartAsync(bob);

            var aliceNode = await NodeOfStreamAsync(carol, alice);
            var bobNode = await NodeOfStreamAsync(carol, bob);
            Assert.NotEqual(aliceNode, bobNode);
            Assert.Equal(MediaNodesFixture.NodeIds, new[] { aliceNode, bobNode }.Order(StringComparer.Ordinal));

            foreach (var (owner, node) in new[] { (alice, aliceNode), (bob, bobNode) })
            {
                using var listener = new WebRtcClient(sends: false);
                using var whep = await carol.PostSdpAsync($"/api/media/whep/{owner.UserName}", listener.Offer);
                Assert.Equal(HttpStatusCode.Created, whep.StatusCode);
                Assert.Equal(node, NodeHeader(whep));
                using var hangUp = await carol.DeleteAsync(whep.Headers.Location!.OriginalString);
                Assert.Equal(HttpStatusCode.OK, hangUp.StatusCode);
                Assert.Equal(node, NodeHeader(hangUp));
            }

            // Each stream is recorded from the node that holds it (the recorder subscribes there, found in the registry).
            await Task.Delay(TimeSpan.FromSeconds(2));
            await aliceLive.StopAsync();
            await bobLive.StopAsync();
            foreach (var live in new[] { aliceLive, bobLive })
            {
                var recording = await live.WaitForRecordingAsync(r => r.GetProperty("status").GetString() == "complete");
                output.WriteLine($"{live.Owner.UserName}'s recording: {recording.GetProperty("durationSeconds").GetDouble():F2} s");
                Assert.True(recording.GetProperty("durationSeconds").GetDouble() > 1, $"{live.Owner.UserName}'s recording holds {recording.GetProperty("durationSeconds")} s");
            }
        }
    }

    [Fact]
    public async Task A_node_killed_mid_stream_ends_only_its_stream_node_lost_and_comes_back()
    {
        await WaitForServingNodesAsync();
        var (alice, bob, carol) = await FriendsAsync();
        using (alice)
        using (bob)
        using (carol)
        {
            await using var carolSocket = await PresenceClient.ConnectAsync(carol);
            await carolSocket.WaitForTypeAsync("all_statuses");
            await using var aliceLive = await ToneBroadcast.StartAsync(alice);
            await using var bobLive = await ToneBroadcast.StartAsync(bob);
            using var bobListener = await bobLive.ListenAsync(carol);
            var aliceStats = await carol.GetJsonAsync($"/api/media/streams/{alice.UserName}");
            var aliceSession = Guid.Parse(aliceStats.GetProperty("sessionId").GetString()!);
            var aliceNode = await NodeOfStreamAsync(carol, alice);
            var bobNode = await NodeOfStreamAsync(carol, bob);
            Assert.NotEqual(aliceNode, bobNode);
            // The longest silence between two of the other stream's packets at its listener, from the kill on.
            long lastArrival = 0, longestGap = 0;
            bobListener.RtpReceived = (_, _, _, arrival) =>
            {
                var previous = Interlocked.Exchange(ref lastArrival, arrival);
                if (previous != 0 && arrival - previous > Interlocked.Read(ref longestGap))
                {
                    Interlocked.Exchange(ref longestGap, arrival - previous);
                }
            };

            // kill -9: no shutdown code runs, its lease simply stops being renewed.
            using (var node = FindNodeProcess(aliceNode, await RedisConnectionStringAsync()))
            {
                node.Kill();
                await node.WaitForExitAsync();
            }
            var sinceKill = Stopwatch.StartNew();

            var asked = Stopwatch.StartNew();
            using (var stats = await carol.GetAsync($"/api/media/streams/{alice.UserName}"))
            {
                output.WriteLine($"stats of the killed node's stream: {(int)stats.StatusCode} in {asked.ElapsedMilliseconds} ms");
                Assert.Equal(HttpStatusCode.ServiceUnavailable, stats.StatusCode);
                Assert.Equal(aliceNode, NodeHeader(stats));
                Assert.Equal("application/problem+json", stats.Content.Headers.ContentType?.MediaType);
                Assert.NotNull(stats.Headers.RetryAfter);
            }

            // Going live again before the stream has ended: not "already live" (409) but "come back in a moment".
            using (var again = await alice.PostAsync("/api/media/streams", new { denoise = false }))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, again.StatusCode);
                Assert.NotNull(again.Headers.RetryAfter);
            }

            await carolSocket.WaitForTypeAsync("streaming_status_update",
                m => m.GetProperty("username").GetString() == alice.UserName && !m.GetProperty("isStreaming").GetBoolean(),
                TimeSpan.FromSeconds(30));
            var ended = sinceKill.Elapsed;
            Assert.Equal("node-lost", await EndReasonAsync(aliceSession));
            output.WriteLine($"node {aliceNode} killed → alice's stream ended node-lost, presence told: {ended.TotalSeconds:F1} s");
            // Lease 6 s + a sweep every 2 s: ~8 s at worst; the margin is for a loaded machine.
            Assert.True(ended < TimeSpan.FromSeconds(20), $"ended {ended.TotalSeconds:F1} s after the kill");

            // The other node's stream went on throughout, and still does.
            var received = bobListener.PacketsReceived;
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.True(bobListener.PacketsReceived > received + 50, $"{bobListener.PacketsReceived - received} packets in 2 s");
            var gap = TimeSpan.FromSeconds((double)Interlocked.Read(ref longestGap) / Stopwatch.Frequency);
            output.WriteLine($"the other stream's listener: longest gap between packets {gap.TotalMilliseconds:F0} ms while the node was lost");
            // 20 ms packets. Were bob's stream tied to the lost node, the gap would last until the lease ran out (6 s) or
            // for good; sender, listener and the restarting node share this machine's two cores, so a second's stall
            // (1006 ms seen in CI) is the machine, not the product.
            Assert.True(gap < TimeSpan.FromSeconds(3), $"bob's listener went {gap.TotalMilliseconds:F0} ms without a packet");
            using (var bobStats = await carol.GetAsync($"/api/media/streams/{bob.UserName}"))
            {
                Assert.Equal(HttpStatusCode.OK, bobStats.StatusCode);
                Assert.Equal(bobNode, NodeHeader(bobStats));
            }

            // The AppHost starts the crashed node again by itself.
            await WaitForServingNodesAsync();
            output.WriteLine($"node {aliceNode} serving again {sinceKill.Elapsed.TotalSeconds:F1} s after the kill");
        }
    }

    [Fact]
    public async Task A_draining_node_gets_no_new_stream_and_keeps_serving_its_live_one()
    {
        await WaitForServingNodesAsync();
        var (alice, bob, carol) = await FriendsAsync();
        using (alice)
        using (bob)
        using (carol)
        {
            await using var aliceLive = await ToneBroadcast.StartAsync(alice);
            var drainingNode = await NodeOfStreamAsync(alice, alice);
            using (var node = FindNodeProcess(drainingNode, await RedisConnectionStringAsync()))
            {
                using var term = Process.Start("kill", ["-TERM", node.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await term.WaitForExitAsync();
            }
            await MediaTestSupport.WaitUntilAsync(
                async () => (await NodeStatesAsync()).GetValueOrDefault(drainingNode) == Keys.NodeFields.StateDraining, TimeSpan.FromSeconds(15));

            foreach (var user in new[] { bob, carol })
            {
                using var started = await user.PostAsync("/api/media/streams", new { denoise = false });
                Assert.Equal(HttpStatusCode.Created, started.StatusCode);
                Assert.NotEqual(drainingNode, NodeHeader(started));
            }

            // The live stream on the draining node is still served, and ends when its owner stops it.
            Assert.Equal(drainingNode, await NodeOfStreamAsync(carol, alice));
            using (var stopped = await alice.DeleteAsync("/api/media/streams/current"))
            {
                Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
                Assert.Equal(drainingNode, NodeHeader(stopped));
            }
            foreach (var user in new[] { bob, carol })
            {
                Assert.Equal(HttpStatusCode.OK, await UserSession.StatusOfAsync(user.DeleteAsync("/api/media/streams/current")));
            }

            // Drained, it exits cleanly (not restarted as a crash); start it again for the other tests.
            using (var exited = new CancellationTokenSource(NodeTimeout))
            {
                await fixture.App.ResourceNotifications.WaitForResourceAsync(drainingNode,
                    e => e.Snapshot.State?.Text == KnownResourceStates.Exited || e.Snapshot.State?.Text == KnownResourceStates.Finished, exited.Token);
            }
            await fixture.App.Services.GetRequiredService<ResourceCommandService>()
                .ExecuteCommandAsync(drainingNode, KnownResourceCommands.StartCommand);
            await WaitForServingNodesAsync();
        }
    }

    private async Task<(UserSession Alice, UserSession Bob, UserSession Carol)> FriendsAsync()
    {
        var alice = await new UserSession(fixture, UserSession.UniqueName("alice")).RegisterAsync();
        var bob = await new UserSession(fixture, UserSession.UniqueName("bob")).RegisterAsync();
        var carol = await new UserSession(fixture, UserSession.UniqueName("carol")).RegisterAsync();
        await carol.BefriendAsync(alice);
        await carol.BefriendAsync(bob);
        return (alice, bob, carol);
    }

    /// <summary>The node that answered <paramref name="viewer"/>'s stats of <paramref name="owner"/>'s live stream.</summary>
    private static async Task<string> NodeOfStreamAsync(UserSession viewer, UserSession owner)
    {
        using var stats = await viewer.GetAsync($"/api/media/streams/{owner.UserName}");
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        return NodeHeader(stats);
    }

    private static string NodeHeader(HttpResponseMessage response) =>
        Assert.Single(response.Headers.GetValues(MediaNodeHeaders.Node));

    private async Task<string> RedisConnectionStringAsync() => (await fixture.App.GetConnectionStringAsync("redis"))!;

    /// <summary>Each registered node's state (serving or draining), from the registry itself.</summary>
    private async Task<Dictionary<string, string>> NodeStatesAsync()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await RedisConnectionStringAsync());
        var db = redis.GetDatabase();
        var states = new Dictionary<string, string>();
        foreach (var id in await db.SetMembersAsync(Keys.Nodes))
        {
            if (await db.HashGetAsync(Keys.Node(id!), Keys.NodeFields.State) is { HasValue: true } state)
            {
                states[id!] = state!;
            }
        }
        return states;
    }

    /// <summary>Waits until both nodes are registered and serving, and the gateway can reach each.</summary>
    private async Task WaitForServingNodesAsync()
    {
        foreach (var node in MediaNodesFixture.NodeIds)
        {
            using var healthy = new CancellationTokenSource(NodeTimeout);
            await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync(node, healthy.Token);
        }
        await MediaTestSupport.WaitUntilAsync(async () =>
        {
            var states = await NodeStatesAsync();
            return MediaNodesFixture.NodeIds.All(id => states.GetValueOrDefault(id) == Keys.NodeFields.StateServing);
        }, NodeTimeout);
        // The gateway reads the registry every second.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
    }

    private async Task<string?> EndReasonAsync(Guid sessionId)
    {
        await using var connection = new NpgsqlConnection(await fixture.App.GetConnectionStringAsync("mediadb"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT "EndReason" FROM streams WHERE "Id" = @id""", connection);
        command.Parameters.AddWithValue("id", sessionId);
        return await command.ExecuteScalarAsync() as string;
    }

    /// <summary>This run's process of media node <paramref name="nodeId"/>: its node id and this AppHost's Redis in its environment.</summary>
    private static Process FindNodeProcess(string nodeId, string redisConnectionString)
    {
        foreach (var process in Process.GetProcesses())
        {
            try
            {
                var commandLine = File.ReadAllText($"/proc/{process.Id}/cmdline");
                var environment = File.ReadAllText($"/proc/{process.Id}/environ").Split('\0');
                if (commandLine.Contains("/MediaService", StringComparison.Ordinal)
                    && !commandLine.StartsWith("dotnet", StringComparison.Ordinal)
                    && environment.Contains($"Media__NodeId={nodeId}")
                    && environment.Any(variable => variable.Contains(redisConnectionString, StringComparison.Ordinal)))
                {
                    return process;
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
            process.Dispose();
        }
        throw new InvalidOperationException($"This run's process of media node {nodeId} was not found.");
    }
}
