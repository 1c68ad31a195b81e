using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AudioStream.MediaService.WebRtc.Client;

namespace AudioStream.MediaTests;

/// <summary>
/// The per-user storage quota through the real AppHost, set to 1 byte so that any recording passes it: a recording
/// stops at its first check while the stream stays live, the next stream is refused recording at its start (the
/// user's existing recordings count), the recording JSON and the stream's stats say why, and a recording whose stream
/// is still live cannot be deleted (the reconciler would start it again).
/// </summary>
[Collection(RecordingQuotaCollection.Name)]
public sealed class RecordingQuotaTests(RecordingQuotaFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_recording_past_the_quota_stops_while_the_stream_stays_live_and_is_not_deleted_before_the_stream_ends()
    {
        using var alice = await new UserSession(fixture).RegisterAsync();
        var sessionId = await GoLiveAndStopRecordingAsync(alice, async recording =>
        {
            Assert.True(recording.GetProperty("sizeBytes").GetInt64() > 0);

            // The stream goes on: connected and still taking audio.
            var before = await PacketsReceivedAsync(alice);
            await Task.Delay(500);
            Assert.True(await PacketsReceivedAsync(alice) > before, "the stream stopped taking audio");

            using var refused = await alice.DeleteAsync($"/api/recordings/{recording.GetProperty("id").GetGuid()}");
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains("stop the stream first", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        });

        var kept = await alice.GetJsonAsync($"/api/recordings/{sessionId}");
        Assert.Equal("quota", kept.GetProperty("stoppedReason").GetString());

        // Once the stream is over the recording can go, and stays gone (no reconciler brings it back).
        await MediaTestSupport.WaitUntilAsync(async () =>
            await UserSession.StatusOfAsync(alice.DeleteAsync($"/api/recordings/{sessionId}")) == HttpStatusCode.NoContent, Timeout);
        Assert.Equal(HttpStatusCode.NotFound, await UserSession.StatusOfAsync(alice.GetAsync($"/api/recordings/{sessionId}")));
    }

    [Fact]
    public async Task A_stream_started_over_the_quota_goes_live_unrecorded_and_its_recording_says_why()
    {
        using var alice = await new UserSession(fixture).RegisterAsync();
        await GoLiveAndStopRecordingAsync(alice, _ => Task.CompletedTask);

        // The first recording's bytes count against the quota: the next stream is not recorded at all.
        var (sessionId, _) = await alice.GoLiveAsync(denoise: false);
        JsonElement recording = default;
        await MediaTestSupport.WaitUntilAsync(async () =>
        {
            using var response = await alice.GetAsync($"/api/recordings/{sessionId}");
            recording = response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadFromJsonAsync<JsonElement>() : default;
            return recording.ValueKind == JsonValueKind.Object;
        }, Timeout);

        Assert.Equal("complete", recording.GetProperty("status").GetString());
        Assert.Equal("quota", recording.GetProperty("stoppedReason").GetString());
        Assert.Contains("storage quota", recording.GetProperty("stoppedMessage").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, recording.GetProperty("sizeBytes").GetInt64());
        Assert.Equal(0, recording.GetProperty("durationSeconds").GetDouble());
        await AssertStatsSayRecordingStoppedAsync(alice);
        Assert.Equal(HttpStatusCode.Conflict, await UserSession.StatusOfAsync(alice.DeleteAsync($"/api/recordings/{sessionId}")));
        Assert.Equal(2, (await alice.GetJsonAsync("/api/recordings")).GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, await UserSession.StatusOfAsync(alice.DeleteAsync("/api/media/streams/current")));
    }

    /// <summary>
    /// Goes live sending a tone until the recording has stopped on the quota; checks it, hands it to
    /// <paramref name="whileLive"/>, then ends the stream.
    /// </summary>
    private static async Task<Guid> GoLiveAndStopRecordingAsync(UserSession user, Func<JsonElement, Task> whileLive)
    {
        var (sessionId, whipUrl) = await user.GoLiveAsync(denoise: false);
        using var sender = new WebRtcClient(sends: true);
        await sender.ConnectAsync(await MediaTestSupport.AnswerAsync(user, whipUrl, sender.Offer), Timeout);
        using var sending = new CancellationTokenSource();
        var tone = MediaTestSupport.SendToneAsync(sender, sending.Token);
        try
        {
            JsonElement recording = default;
            await MediaTestSupport.WaitUntilAsync(async () =>
            {
                using var response = await user.GetAsync($"/api/recordings/{sessionId}");
                recording = response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadFromJsonAsync<JsonElement>() : default;
                return recording.ValueKind == JsonValueKind.Object && recording.GetProperty("status").GetString() != "recording";
            }, Timeout);
            Assert.Equal("complete", recording.GetProperty("status").GetString());
            Assert.Equal("quota", recording.GetProperty("stoppedReason").GetString());
            Assert.Contains("stream stayed live", recording.GetProperty("stoppedMessage").GetString(), StringComparison.Ordinal);
            await AssertStatsSayRecordingStoppedAsync(user);
            await whileLive(recording);
            Assert.Equal(HttpStatusCode.OK, await UserSession.StatusOfAsync(user.DeleteAsync("/api/media/streams/current")));
        }
        finally
        {
            await sending.CancelAsync();
            await tone;
        }
        return sessionId;
    }

    /// <summary>The live stream's stats (what a friend or an operator sees) say recording stopped on the quota, and why.</summary>
    private static async Task AssertStatsSayRecordingStoppedAsync(UserSession user)
    {
        JsonElement stats = default;
        await MediaTestSupport.WaitUntilAsync(async () =>
        {
            stats = await user.GetJsonAsync($"/api/media/streams/{user.UserName}");
            return stats.GetProperty("recording").GetProperty("state").GetString() == "stopped";
        }, Timeout);
        var recording = stats.GetProperty("recording");
        Assert.Equal("quota", recording.GetProperty("reason").GetString());
        Assert.Contains("storage quota", recording.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private static async Task<long> PacketsReceivedAsync(UserSession user)
    {
        var stats = await user.GetJsonAsync($"/api/media/streams/{user.UserName}");
        Assert.True(stats.GetProperty("connected").GetBoolean());
        return stats.GetProperty("delivery").GetProperty("packetsReceived").GetInt64();
    }
}
