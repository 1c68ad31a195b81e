using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using AudioStream.MediaService.WebRtc.Client;
using AudioStream.ServiceDefaults.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;
using Xunit.Abstractions;
using static AudioStream.MediaTests.MediaTestSupport;

namespace AudioStream.MediaTests;

/// <summary>
/// Recordings outlive the death of the processes around them (issue #13), with two recorders and one media node:
/// kill -9 of the media node ends its stream's recording with what arrived; kill -9 of the recorder holding a stream's
/// lease hands the recording to the other, which carries it on.
/// </summary>
[Collection(RecorderFailoverCollection.Name)]
public sealed class RecorderFailoverTests(RecorderFailoverFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_recording_whose_media_node_is_killed_completes_with_the_audio_received()
    {
        await fixture.WaitForAllHealthyAsync();
        using var alice = await new UserSession(fixture).RegisterAsync();
        var (sessionId, whipUrl) = await alice.GoLiveAsync(denoise: false);
        using var sender = new WebRtcClient(sends: true);
        await sender.ConnectAsync(await AnswerAsync(alice, whipUrl, sender.Offer), Timeout);
        using var sending = new CancellationTokenSource();
        var sent = Stopwatch.StartNew();
        var pacing = SendToneAsync(sender, sending.Token);
        double onDiskAtKill;
        var clock = new Stopwatch();
        (string ResourceId, int Pid) media;
        try
        {
            await WaitUntilAsync(async () => (await RecordingAsync(alice, sessionId))?.GetProperty("durationSeconds").GetDouble() > 3);
            onDiskAtKill = (await RecordingAsync(alice, sessionId))!.Value.GetProperty("durationSeconds").GetDouble();
            media = Assert.Single(await ServiceProcesses.FindAsync(fixture, "media"));
            await ServiceProcesses.KillAsync(media.Pid);
            clock.Start();
        }
        finally
        {
            await sending.CancelAsync();
            await pacing;
        }
        var sentSeconds = sent.Elapsed.TotalSeconds;

        var recording = await EndedRecordingAsync(alice, sessionId);
        var completedAfter = clock.Elapsed;
        var duration = recording.GetProperty("durationSeconds").GetDouble();
        output.WriteLine($"node killed at {sentSeconds:F2} s of tone ({onDiskAtKill:F2} s on disk); recording {recording.GetProperty("status")} " +
            $"after {completedAfter.TotalSeconds:F2} s at {duration:F2} s");

        Assert.Equal("complete", recording.GetProperty("status").GetString());
        Assert.True(completedAfter < TimeSpan.FromSeconds(10), $"the recording completed {completedAfter.TotalSeconds:F1} s after the node died");
        // Everything that reached the recorder: at least what was on disk at the kill, at most what was sent.
        Assert.InRange(duration, onDiskAtKill, sentSeconds + 0.5);

        // The AppHost starts a crashed media node again by itself (CrashedNodeRestarter): wait for a new process, healthy.
        var restart = Stopwatch.StartNew();
        await MediaTestSupport.WaitUntilAsync(
            async () => await ServiceProcesses.FindAsync(fixture, "media") is [var again] && again.Pid != media.Pid,
            TimeSpan.FromSeconds(90));
        await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync("media").WaitAsync(TimeSpan.FromSeconds(90));
        output.WriteLine($"media node running and healthy again {restart.Elapsed.TotalSeconds:F1} s after the recording completed");
    }

    [Fact]
    public async Task A_surviving_recorder_takes_over_a_killed_recorders_stream_and_fills_only_the_takeover_gap()
    {
        await fixture.WaitForAllHealthyAsync();
        var redis = await ConnectionMultiplexer.ConnectAsync((await fixture.App.GetConnectionStringAsync("redis"))!);
        await using var _ = redis;
        var recorders = await ServiceProcesses.FindAsync(fixture, "recordings");
        Assert.Equal(2, recorders.Count);
        using var alice = await new UserSession(fixture).RegisterAsync();
        var (sessionId, whipUrl) = await alice.GoLiveAsync(denoise: false);
        using var sender = new WebRtcClient(sends: true);
        await sender.ConnectAsync(await AnswerAsync(alice, whipUrl, sender.Offer), Timeout);
        using var sending = new CancellationTokenSource();
        var pacing = SendToneAsync(sender, sending.Token);
        var lease = MediaRegistryKeys.RecordingLease(sessionId);
        TimeSpan leaseTaken = default, resumed = default;
        string? killedReplica = null;
        double audioBeforeStop = 0;
        try
        {
            await WaitUntilAsync(async () => (await RecordingAsync(alice, sessionId))?.GetProperty("durationSeconds").GetDouble() > 3);
            // The lease names the instance writing the recording: "{machine}/{pid}/{id}".
            var holder = (string)(await redis.GetDatabase().StringGetAsync(lease))!;
            var pid = int.Parse(holder.Split('/')[1], System.Globalization.CultureInfo.InvariantCulture);
            killedReplica = Assert.Single(recorders, r => r.Pid == pid).ResourceId;
            var onDiskAtKill = (await RecordingAsync(alice, sessionId))!.Value.GetProperty("durationSeconds").GetDouble();
            await ServiceProcesses.KillAsync(pid);
            var clock = Stopwatch.StartNew();

            await WaitUntilAsync(async () => (string?)await redis.GetDatabase().StringGetAsync(lease) is { } next && next != holder);
            leaseTaken = clock.Elapsed;
            await WaitUntilAsync(async () =>
            {
                var recording = (await RecordingAsync(alice, sessionId))!.Value;
                Assert.Equal("recording", recording.GetProperty("status").GetString());
                return recording.GetProperty("durationSeconds").GetDouble() > onDiskAtKill + clock.Elapsed.TotalSeconds / 2;
            });
            resumed = clock.Elapsed;
            output.WriteLine($"recorder killed at {onDiskAtKill:F2} s on disk: lease taken over after {leaseTaken.TotalSeconds:F2} s, " +
                $"recording written again after {resumed.TotalSeconds:F2} s");
            await Task.Delay(TimeSpan.FromSeconds(2));
            audioBeforeStop = sender.PacketsSent * 0.02;
            Assert.Equal(HttpStatusCode.OK, await UserSession.StatusOfAsync(alice.DeleteAsync("/api/media/streams/current")));
        }
        finally
        {
            await sending.CancelAsync();
            await pacing;
        }
        var sentSeconds = sender.PacketsSent * 0.02;

        var final = await EndedRecordingAsync(alice, sessionId);
        Assert.Equal("repaired", final.GetProperty("status").GetString());
        // One recording, on the stream's timeline from start to end: the audio sent (20 ms a packet; a loaded machine's
        // timer skips ticks, so wall time overstates it) up to the stop, give or take what was in flight.
        var duration = final.GetProperty("durationSeconds").GetDouble();
        Assert.InRange(duration, audioBeforeStop - 1, sentSeconds + 0.5);
        using var wav = await alice.GetAsync($"/api/recordings/{sessionId}/audio?format=wav");
        Assert.Equal(HttpStatusCode.OK, wav.StatusCode);
        var samples = AudioAnalysis.FromPcm16(LiveAudioEndToEndTests.WavData(await wav.Content.ReadAsByteArrayAsync()));
        // Measured from the first audio: a recorder that subscribed late (seen right after a media node restart) starts with silence.
        var firstAudio = Array.FindIndex(samples, x => Math.Abs(x) >= 0.05f);
        Assert.True(firstAudio >= 0, "the recording holds no audio");
        var quiet = LongestQuiet(samples[firstAudio..]);
        var gap = quiet.Length / 48000.0;
        output.WriteLine($"{duration:F2} s recorded of {sentSeconds:F2} s sent ({samples.Length / 48000.0:F2} s decoded, audio from {firstAudio / 48000.0:F2} s); " +
            $"longest gap {gap:F2} s from {(firstAudio + quiet.Start) / 48000.0:F2} s");
        output.WriteLine("peak per second: " + string.Join(" ", samples.Chunk(48000).Select(second => second.Max(Math.Abs).ToString("F2", System.Globalization.CultureInfo.InvariantCulture))));
        // The gap: the page the killed recorder had not yet written (at most a second) and the takeover itself.
        Assert.True(gap <= resumed.TotalSeconds + 1.5, $"a gap of {gap:F2} s in the recording; the takeover took {resumed.TotalSeconds:F2} s");

        await StartAgainAsync(killedReplica!);
    }

    private static async Task<JsonElement?> RecordingAsync(UserSession user, Guid id)
    {
        using var response = await user.GetAsync($"/api/recordings/{id}");
        return response.StatusCode == HttpStatusCode.OK
            ? JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone()
            : null;
    }

    /// <summary>The recording once it is no longer "recording".</summary>
    private static async Task<JsonElement> EndedRecordingAsync(UserSession user, Guid id)
    {
        JsonElement recording = default;
        await WaitUntilAsync(async () =>
        {
            recording = (await RecordingAsync(user, id))!.Value;
            return recording.GetProperty("status").GetString() != "recording";
        });
        return recording;
    }

    /// <summary>The longest run of samples that is silent (the tone never stays this near zero for long): where it starts, how long.</summary>
    private static (int Start, int Length) LongestQuiet(float[] samples)
    {
        (int Start, int Length) longest = (0, 0);
        int run = 0;
        for (int i = 0; i < samples.Length; i++)
        {
            run = Math.Abs(samples[i]) < 0.02f ? run + 1 : 0;
            if (run > longest.Length)
            {
                longest = (i + 1 - run, run);
            }
        }
        return longest;
    }

    /// <summary>Starts a killed instance again (by its resource id: a replica's own) and waits until it is healthy.</summary>
    private async Task StartAgainAsync(string resourceId)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await WaitForInstanceAsync(resourceId, s => s.State?.Text is "Exited" or "Finished" or "FailedToStart", patience.Token);
        await fixture.App.Services.GetRequiredService<ResourceCommandService>()
            .ExecuteCommandAsync(resourceId, KnownResourceCommands.StartCommand, patience.Token);
        await WaitForInstanceAsync(resourceId, s => s.State?.Text == "Running" && s.HealthStatus == HealthStatus.Healthy, patience.Token);
    }

    private async Task WaitForInstanceAsync(string resourceId, Func<CustomResourceSnapshot, bool> until, CancellationToken cancellationToken)
    {
        await foreach (var update in fixture.App.ResourceNotifications.WatchAsync(cancellationToken))
        {
            if (update.ResourceId == resourceId && until(update.Snapshot))
            {
                return;
            }
        }
    }

    private static Task WaitUntilAsync(Func<Task<bool>> condition) => MediaTestSupport.WaitUntilAsync(condition, Timeout);
}
