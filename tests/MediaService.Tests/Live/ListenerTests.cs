using System.Diagnostics.Metrics;
using System.Net;
using AudioStream.MediaService.Live;
using AudioStream.MediaService.WebRtc;
using AudioStream.MediaService.WebRtc.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace AudioStream.MediaService.Tests.Live;

/// <summary>A WHEP listener on a real endpoint with the C# WebRTC client as the browser.</summary>
public sealed class ListenerTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FrameBroadcaster _processed = new("processed");
    private readonly ListenerAdmission _admission = new(Options.Create(new ListenerLimits()));

    private readonly ITestOutputHelper _output;
    private readonly ListenerSet _set;

    public ListenerTests(ITestOutputHelper output)
    {
        _output = output;
        var metrics = new MediaMetrics(_services.GetRequiredService<IMeterFactory>());
        _set = new ListenerSet(Guid.NewGuid(), denoised: false, _processed, original: null, queueCapacity: 64,
            TimeSpan.FromMilliseconds(200), metrics, TimeProvider.System, NullLogger.Instance);
    }

    [Fact]
    public async Task A_listener_sends_nothing_before_its_peer_connects_then_paces_the_track_and_gives_its_slot_back_on_hang_up()
    {
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions { BindAddress = IPAddress.Loopback });
        using var client = new WebRtcClient(sends: false);
        var (peer, answer) = endpoint.CreateEgressPeer(client.Offer);
        var listener = _set.Add(peer, _admission.TryAdmit(Guid.NewGuid(), _set.SessionId, out _)!, "sign-in-session");

        // Frames published while the browser is still connecting: no loop reads them, no send is even tried.
        for (int i = 0; i < 25; i++)
        {
            Publish(i);
            await Task.Delay(20);
        }

        Assert.False(listener.IsSending);
        Assert.Equal(0, peer.Counters.FramesSendDropped);
        Assert.Equal(0, listener.FramesSent);

        await client.ConnectAsync(answer, Timeout);
        await peer.WaitConnectedAsync().WaitAsync(Timeout);
        await WaitUntilAsync(() => listener.IsSending);
        for (int i = 25; i < 50 && client.PacketsReceived == 0; i++)
        {
            Publish(i);
            await Task.Delay(20);
        }

        await WaitUntilAsync(() => client.PacketsReceived > 0);
        Assert.Equal(1, _admission.Count);

        client.Dispose();
        await WaitUntilAsync(() => _admission.Count == 0);
        Assert.Null(_set.Find(listener.ResourceId));
    }

    [Fact]
    public async Task A_listener_that_never_connects_gives_its_slot_back_when_the_connect_timeout_closes_it()
    {
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions { BindAddress = IPAddress.Loopback, ConnectTimeout = TimeSpan.FromSeconds(1) });
        using var client = new WebRtcClient(sends: false);
        var (peer, _) = endpoint.CreateEgressPeer(client.Offer);
        var listener = _set.Add(peer, _admission.TryAdmit(Guid.NewGuid(), _set.SessionId, out _)!, "sign-in-session");
        Assert.Equal(1, _admission.Count);

        await WaitUntilAsync(() => _admission.Count == 0);
        Assert.Equal(PeerCloseReason.ConnectTimeout, peer.CloseReason);
        Assert.False(listener.IsSending);
        Assert.Null(_set.Find(listener.ResourceId));
    }

    [Fact]
    public async Task An_unconnected_listener_is_hung_up_and_gives_its_slot_back_when_the_stream_ends()
    {
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions { BindAddress = IPAddress.Loopback });
        using var client = new WebRtcClient(sends: false);
        var (peer, _) = endpoint.CreateEgressPeer(client.Offer);
        _set.Add(peer, _admission.TryAdmit(Guid.NewGuid(), _set.SessionId, out _)!, "sign-in-session");

        _processed.Complete();

        await WaitUntilAsync(() => _admission.Count == 0);
        Assert.Equal(PeerState.Closed, peer.State);
    }

    [Fact]
    public async Task Offers_past_the_node_cap_cost_no_memory_and_sessions_up_to_it_a_bounded_amount_each()
    {
        const int Cap = 200;
        var admission = new ListenerAdmission(Options.Create(new ListenerLimits { MaxPerUser = 1000, MaxPerStream = 1000, MaxPerNode = Cap }));
        using var endpoint = new WebRtcEndpoint(new WebRtcEndpointOptions { BindAddress = IPAddress.Loopback });
        string offer;
        using (var client = new WebRtcClient(sends: false))
        {
            offer = client.Offer;
        }

        // As WebRtcApi does it: a slot first, then the peer (offers that never connect, the cheapest way to hold sessions).
        long before = GC.GetTotalMemory(forceFullCollection: true), atCap = 0;
        int refused = 0;
        for (int i = 0; i < 2 * Cap; i++)
        {
            if (admission.TryAdmit(Guid.NewGuid(), _set.SessionId, out _) is { } slot)
            {
                _set.Add(endpoint.CreateEgressPeer(offer).Peer, slot, "sign-in-session");
            }
            else
            {
                refused++;
            }

            if (i == Cap - 1)
            {
                atCap = GC.GetTotalMemory(forceFullCollection: true);
            }
        }

        long after = GC.GetTotalMemory(forceFullCollection: true);
        _output.WriteLine($"managed heap: {before / 1048576.0:F1} MB before, {atCap / 1048576.0:F1} MB with {Cap} sessions "
            + $"({(atCap - before) / 1024.0 / Cap:F1} KB each), {after / 1048576.0:F1} MB after {refused} refused offers");
        Assert.Equal(Cap, refused);
        Assert.Equal(Cap, admission.Count);
        Assert.True(after - atCap < 1 << 20, $"{(after - atCap) / 1024} KB grown past the cap");
        Assert.True((atCap - before) / Cap < 256 * 1024, $"{(atCap - before) / Cap / 1024} KB per session");

        endpoint.Dispose();
        await WaitUntilAsync(() => admission.Count == 0);
    }

    public void Dispose() => _services.Dispose();

    private void Publish(int index)
    {
        long now = TimeProvider.System.GetTimestamp();
        var samples = new float[MediaFrame.Samples20Ms];
        samples.AsSpan().Fill(0.1f * MathF.Sin(index));
        _processed.Publish(new MediaFrame(samples, (long)index * MediaFrame.Samples20Ms, now, IsSilenceFill: false, now));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
