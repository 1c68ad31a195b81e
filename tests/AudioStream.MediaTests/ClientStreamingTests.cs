using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using AudioStream.MediaService.Grpc;
using AudioStream.MediaService.WebRtc.Client;
using AudioStream.MediaService.WebRtc.Opus;
using AudioStream.ServiceDefaults.Messaging;
using Grpc.Core;
using static AudioStream.MediaTests.MediaTestSupport;

namespace AudioStream.MediaTests;

/// <summary>
/// Live streaming through the gateway with the C# WebRTC client (what the load benchmark uses) instead of browsers:
/// WHIP in, a friend's WHEP out, the stats' delivery counters, hang-up and never-connected expiry.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ClientStreamingTests(AppHostFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_client_broadcast_reaches_a_friends_client_and_its_hang_up_ends_the_stream()
    {
        var (events, lifetime) = await MediaTestSupport.SubscribeMediaEventsAsync(fixture);
        await using var _ = lifetime;
        using var alice = await new UserSession(fixture).RegisterAsync();
        using var bob = await new UserSession(fixture).RegisterAsync();
        await alice.BefriendAsync(bob);
        var (sessionId, whipUrl) = await alice.GoLiveAsync(denoise: false);

        using var sender = new WebRtcClient(sends: true);
        await sender.ConnectAsync(await AnswerAsync(alice, whipUrl, sender.Offer), Timeout);
        using var listener = new WebRtcClient(sends: false);
        var sequences = new List<ushort>();
        listener.RtpReceived = (sequence, _, _, _) =>
        {
            lock (sequences)
            {
                sequences.Add(sequence);
            }
        };
        await listener.ConnectAsync(await AnswerAsync(bob, $"/api/media/whep/{alice.UserName}", listener.Offer), Timeout);
        Assert.Equal(1, (await events.NextForAsync<ListenerCountChanged>(alice.UserName, Timeout)).Listeners);

        // 3 s of a tone, paced like a microphone.
        var encoder = new OpusAudioEncoder();
        var frame = Enumerable.Range(0, 960).Select(i => (float)(0.2 * Math.Sin(2 * Math.PI * 440 * i / 48000))).ToArray();
        var packet = new byte[OpusAudioEncoder.MaxPacketBytes];
        using (var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20)))
        {
            for (int i = 0; i < 150; i++)
            {
                Assert.True(sender.SendOpus(packet.AsSpan(0, encoder.Encode(frame, packet))));
                await timer.WaitForNextTickAsync();
            }
        }

        JsonElement stats = default, delivery = default;
        await WaitUntilAsync(async () =>
        {
            stats = await alice.GetJsonAsync($"/api/media/streams/{alice.UserName}");
            delivery = stats.GetProperty("delivery");
            return delivery.GetProperty("packetsReceived").GetInt64() >= 150;
        });
        Assert.True(stats.GetProperty("connected").GetBoolean());
        Assert.Equal(1, stats.GetProperty("listeners").GetInt32());
        Assert.Equal(150, delivery.GetProperty("packetsReceived").GetInt64());
        Assert.Equal(0, delivery.GetProperty("packetsLost").GetInt64());
        Assert.Equal(0, delivery.GetProperty("listenerFramesDropped").GetInt64());
        Assert.Equal(40, delivery.GetProperty("plannedLatencyMs").GetDouble()); // no denoiser: the playout margin only

        // Without the denoiser the listener is ~0.04 s behind: nearly all 150 frames are out by now, in order, none skipped.
        await WaitUntilAsync(() => Task.FromResult(listener.PacketsReceived >= 145));
        lock (sequences)
        {
            Assert.Equal(Enumerable.Range(0, sequences.Count).Select(i => (ushort)(sequences[0] + i)), sequences);
        }

        Assert.Equal(0, listener.SrtpAuthFailures);

        // Hanging up (DTLS close_notify) ends the stream: the friend's peer is closed and the session recorded as ended.
        sender.Dispose();
        var ended = await events.NextForAsync<StreamEnded>(alice.UserName, Timeout);
        Assert.Equal(sessionId, ended.SessionId);
        await listener.Closed.WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.NotFound, await UserSession.StatusOfAsync(bob.GetAsync($"/api/media/streams/{alice.UserName}")));
    }

    [Fact]
    public async Task A_stream_nobody_connects_to_ends_by_itself()
    {
        var (events, lifetime) = await MediaTestSupport.SubscribeMediaEventsAsync(fixture);
        await using var _ = lifetime;
        using var alice = await new UserSession(fixture).RegisterAsync();
        var (sessionId, _) = await alice.GoLiveAsync();
        var started = DateTimeOffset.UtcNow;

        var ended = await events.NextForAsync<StreamEnded>(alice.UserName, TimeSpan.FromSeconds(AppHostFixture.IngestTimeoutSeconds + 15));
        var waited = DateTimeOffset.UtcNow - started;

        Assert.Equal(sessionId, ended.SessionId);
        Assert.True(waited > TimeSpan.FromSeconds(AppHostFixture.IngestTimeoutSeconds - 1), $"ended after {waited.TotalSeconds:F1} s");
        Assert.Equal(HttpStatusCode.NotFound, await UserSession.StatusOfAsync(alice.GetAsync($"/api/media/streams/{alice.UserName}")));
        // Going live again works: the one-stream-per-user slot was freed.
        await alice.GoLiveAsync();
        Assert.Equal(HttpStatusCode.OK, await UserSession.StatusOfAsync(alice.DeleteAsync("/api/media/streams/current")));
    }

    [Fact]
    public async Task A_stream_that_started_while_the_recording_service_was_down_is_still_recorded()
    {
        var commands = fixture.App.Services.GetRequiredService<ResourceCommandService>();
        using var alice = await new UserSession(fixture).RegisterAsync();
        using var sender = new WebRtcClient(sends: true);
        using var sending = new CancellationTokenSource();
        Task? pacing = null;
        try
        {
            // RecordingService is down when the stream starts: it never sees stream_started.
            await commands.ExecuteCommandAsync("recordings", KnownResourceCommands.StopCommand);
            using (var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                await fixture.App.ResourceNotifications.WaitForResourceAsync(
                    "recordings", e => e.Snapshot.State?.Text is "Exited" or "Finished", stopped.Token);
            }

            var (sessionId, whipUrl) = await alice.GoLiveAsync(denoise: false);
            await sender.ConnectAsync(await AnswerAsync(alice, whipUrl, sender.Offer), Timeout);
            pacing = SendToneAsync(sender, sending.Token);
            await Task.Delay(TimeSpan.FromSeconds(2));

            await commands.ExecuteCommandAsync("recordings", KnownResourceCommands.StartCommand);
            using (var healthy = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync("recordings", healthy.Token);
            }

            // Within a reconcile period or two it notices the live stream and records it from then on.
            JsonElement recording = default;
            await WaitUntilAsync(async () =>
            {
                using var response = await alice.GetAsync($"/api/recordings/{sessionId}");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    recording = await response.Content.ReadFromJsonAsync<JsonElement>();
                }

                return response.StatusCode == HttpStatusCode.OK;
            }, TimeSpan.FromSeconds(AppHostFixture.ReconcileSeconds * 3 + 10));
            Assert.Equal("recording", recording.GetProperty("status").GetString());
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.Equal(HttpStatusCode.OK, await UserSession.StatusOfAsync(alice.DeleteAsync("/api/media/streams/current")));

            await WaitUntilAsync(async () =>
            {
                recording = await alice.GetJsonAsync($"/api/recordings/{sessionId}");
                return recording.GetProperty("status").GetString() == "complete";
            }, Timeout);
            Assert.True(recording.GetProperty("durationSeconds").GetDouble() >= 1.5, $"recorded {recording.GetProperty("durationSeconds").GetDouble()} s");
        }
        finally
        {
            await sending.CancelAsync();
            if (pacing is not null)
            {
                await pacing;
            }

            using var healthy = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await commands.ExecuteCommandAsync("recordings", KnownResourceCommands.StartCommand);
            await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync("recordings", healthy.Token);
        }
    }

    [Fact]
    public async Task A_recording_resumed_after_a_restart_cannot_be_deleted_while_it_is_written()
    {
        var commands = fixture.App.Services.GetRequiredService<ResourceCommandService>();
        using var alice = await new UserSession(fixture).RegisterAsync();
        var (sessionId, whipUrl) = await alice.GoLiveAsync(denoise: false);
        using var sender = new WebRtcClient(sends: true);
        await sender.ConnectAsync(await AnswerAsync(alice, whipUrl, sender.Offer), Timeout);
        using var sending = new CancellationTokenSource();
        var pacing = SendToneAsync(sender, sending.Token);
        try
        {
            await WaitUntilAsync(async () => await UserSession.StatusOfAsync(alice.GetAsync($"/api/recordings/{sessionId}")) == HttpStatusCode.OK);
            await Task.Delay(TimeSpan.FromSeconds(1));

            // RecordingService restarts while the stream is live: the recording is repaired and written on, still "recording".
            await RestartRecordingServiceAsync(commands);
            var atRestart = (await alice.GetJsonAsync($"/api/recordings/{sessionId}")).GetProperty("durationSeconds").GetDouble();
            await WaitUntilAsync(async () =>
            {
                var recording = await alice.GetJsonAsync($"/api/recordings/{sessionId}");
                Assert.Equal("recording", recording.GetProperty("status").GetString());
                return recording.GetProperty("durationSeconds").GetDouble() > atRestart + 1;
            });

            using (var refused = await alice.DeleteAsync($"/api/recordings/{sessionId}"))
            {
                Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
                Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            }
            Assert.Equal(HttpStatusCode.OK, await UserSession.StatusOfAsync(alice.DeleteAsync("/api/media/streams/current")));
        }
        finally
        {
            await sending.CancelAsync();
            await pacing;
        }

        // Once the stream is over the recording ends "repaired" (a restart interrupted it), and deleting it works.
        await WaitUntilAsync(async () =>
            (await alice.GetJsonAsync($"/api/recordings/{sessionId}")).GetProperty("status").GetString() == "repaired");
        await WaitUntilAsync(async () =>
            await UserSession.StatusOfAsync(alice.DeleteAsync($"/api/recordings/{sessionId}")) == HttpStatusCode.NoContent);
        Assert.Equal(HttpStatusCode.NotFound, await UserSession.StatusOfAsync(alice.GetAsync($"/api/recordings/{sessionId}")));
    }

    [Fact]
    public async Task A_sender_whose_timestamps_race_ahead_gets_no_more_timeline_than_the_time_that_passed()
    {
        var (media, mediaLifetime) = await MediaTestSupport.CreateMediaClientAsync(fixture);
        await using var _ = mediaLifetime;
        using var alice = await new UserSession(fixture).RegisterAsync();
        var (sessionId, whipUrl) = await alice.GoLiveAsync(denoise: false);
        using var sender = new WebRtcClient(sends: true);
        await sender.ConnectAsync(await AnswerAsync(alice, whipUrl, sender.Offer), Timeout);

        // The raw track is what the recorder writes: follow how far its timeline gets.
        using var rawCall = media.Subscribe(new SubscribeRequest { StreamId = sessionId.ToString(), Track = Track.Raw });
        long timelineEnd = 0;
        var reading = Task.Run(async () =>
        {
            await foreach (var chunk in rawCall.ResponseStream.ReadAllAsync())
            {
                Interlocked.Exchange(ref timelineEnd, (long)chunk.SampleOffset + (chunk.Pcm.Length / 2));
            }
        });

        // A hostile sender: 2 s of packets paced like a microphone, each claiming 10 s of audio (a gap of 9.98 s
        // to fill with silence after each one): ~1000 s of timeline unless the server holds it to the clock.
        var encoder = new OpusAudioEncoder();
        var packet = new byte[OpusAudioEncoder.MaxPacketBytes];
        int length = encoder.Encode(new float[960], packet);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using (var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20)))
        {
            for (int i = 0; i < 100; i++)
            {
                Assert.True(sender.SendOpus(packet.AsSpan(0, length), samples: 10 * 48000));
                await timer.WaitForNextTickAsync();
            }
        }

        JsonElement delivery = default;
        await WaitUntilAsync(async () =>
        {
            delivery = (await alice.GetJsonAsync($"/api/media/streams/{alice.UserName}")).GetProperty("delivery");
            return delivery.GetProperty("packetsReceived").GetInt64() >= 100;
        });
        var elapsed = clock.Elapsed;
        Assert.Equal(HttpStatusCode.OK, await UserSession.StatusOfAsync(alice.DeleteAsync("/api/media/streams/current")));
        await reading.WaitAsync(Timeout);

        // The timeline may lead the clock by the 1 s allowance; the frames beyond it were refused and counted.
        double seconds = Interlocked.Read(ref timelineEnd) / 48000.0;
        Assert.InRange(seconds, 1.0, elapsed.TotalSeconds + 1.5);
        Assert.True(delivery.GetProperty("framesAheadOfRealTime").GetInt64() > 40_000, $"delivery: {delivery}");

        // The recording on disk follows the clock too: no longer than the time that passed (plus the allowance), and
        // the size of that much 32 kbit/s Opus (the ~1000 s the timestamps claim would be ~4 MB).
        JsonElement recording = default;
        await WaitUntilAsync(async () =>
        {
            using var response = await alice.GetAsync($"/api/recordings/{sessionId}");
            recording = response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadFromJsonAsync<JsonElement>() : default;
            return recording.ValueKind == JsonValueKind.Object && recording.GetProperty("status").GetString() != "recording";
        });
        Assert.Equal("complete", recording.GetProperty("status").GetString());
        Assert.InRange(recording.GetProperty("durationSeconds").GetDouble(), 0.5, elapsed.TotalSeconds + 1.5);
        Assert.InRange(recording.GetProperty("sizeBytes").GetInt64(), 1, (long)((elapsed.TotalSeconds + 1.5) * 32_000 / 8 * 1.5) + 4096);
    }

    private async Task RestartRecordingServiceAsync(ResourceCommandService commands)
    {
        await commands.ExecuteCommandAsync("recordings", KnownResourceCommands.StopCommand);
        using (var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await fixture.App.ResourceNotifications.WaitForResourceAsync(
                "recordings", e => e.Snapshot.State?.Text is "Exited" or "Finished", stopped.Token);
        }
        await commands.ExecuteCommandAsync("recordings", KnownResourceCommands.StartCommand);
        using var healthy = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync("recordings", healthy.Token);
    }

    private static Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null) =>
        MediaTestSupport.WaitUntilAsync(condition, timeout ?? Timeout);
}
