using System.Net;
using System.Text.Json;

namespace AudioStream.IntegrationTests;

/// <summary>
/// RecordingService follows MediaService for real: a stream going live (Redis stream_started) opens a recording and a
/// gRPC subscription; the stream ending completes the subscription. No audio flows here (no WebRTC client), so the
/// recording is discarded as empty at the end; the audio path itself is covered by the writer's unit tests.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class RecordingWiringTests(AppHostFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Going_live_opens_a_recording_and_a_stream_without_audio_leaves_none()
    {
        using var alice = await new UserSession(fixture).RegisterAsync();
        using (var started = await alice.PostAsync("/api/media/streams", new { denoise = false }))
        {
            Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        }

        var live = await WaitForAsync(alice, list => list.GetArrayLength() == 1 ? list[0] : (JsonElement?)null);
        Assert.Equal("recording", live.GetProperty("status").GetString());
        Assert.StartsWith("Live on ", live.GetProperty("title").GetString());
        Assert.Equal(alice.UserName, live.GetProperty("owner").GetString());

        using (var stopped = await alice.DeleteAsync("/api/media/streams/current"))
        {
            Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
        }
        await WaitForAsync(alice, list => list.GetArrayLength() == 0 ? list : (JsonElement?)null);
    }

    private static async Task<JsonElement> WaitForAsync(UserSession user, Func<JsonElement, JsonElement?> until)
    {
        var deadline = DateTime.UtcNow + Patience;
        JsonElement last;
        do
        {
            last = await user.GetJsonAsync($"/api/recordings?owner={user.UserName}");
            if (until(last) is { } found)
            {
                return found;
            }
            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"Recordings never reached the expected state; last: {last}");
    }
}
