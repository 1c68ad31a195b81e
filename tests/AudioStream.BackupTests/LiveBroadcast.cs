using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AudioStream.MediaService.WebRtc.Client;
using AudioStream.MediaService.WebRtc.Opus;

namespace AudioStream.BackupTests;

/// <summary>A user live from the C# WHIP client, sending a rising tone paced like a microphone until stopped.</summary>
internal sealed class LiveBroadcast : IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(20);
    private readonly WebRtcClient sender = new(sends: true);
    private readonly CancellationTokenSource sending = new();
    private Task pacing = Task.CompletedTask;

    private LiveBroadcast(UserSession user, Guid sessionId)
    {
        User = user;
        SessionId = sessionId;
    }

    public UserSession User { get; }

    /// <summary>The live session; RecordingService records it under the same id.</summary>
    public Guid SessionId { get; }

    public static async Task<LiveBroadcast> StartAsync(UserSession user, string title)
    {
        using var created = await user.PostAsync("/api/media/streams", new { denoise = false, title });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var broadcast = new LiveBroadcast(user, body.GetProperty("sessionId").GetGuid());

        var offer = new HttpRequestMessage(HttpMethod.Post, new Uri(body.GetProperty("whipUrl").GetString()!, UriKind.Relative))
        {
            Content = new StringContent(broadcast.sender.Offer, Encoding.UTF8),
        };
        offer.Content.Headers.ContentType = new MediaTypeHeaderValue("application/sdp");
        using var answer = await user.SendAsync(offer);
        Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
        await broadcast.sender.ConnectAsync(await answer.Content.ReadAsStringAsync(), ConnectTimeout);
        broadcast.pacing = broadcast.SendToneAsync(broadcast.sending.Token);
        return broadcast;
    }

    /// <summary>Ends the stream as the page's "Stop" does; the recording then completes.</summary>
    public async Task StopAsync()
    {
        Assert.Equal(HttpStatusCode.OK, await UserSession.StatusOfAsync(User.DeleteAsync("/api/media/streams/current")));
        await sending.CancelAsync();
        await pacing;
    }

    /// <summary>The recording's metadata once <paramref name="condition"/> holds for it.</summary>
    public Task<JsonElement> WaitForRecordingAsync(Func<JsonElement, bool> condition) => WaitForRecordingAsync(User, SessionId, condition);

    public static async Task<JsonElement> WaitForRecordingAsync(UserSession user, Guid id, Func<JsonElement, bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            using var response = await user.GetAsync($"/api/recordings/{id}");
            if (response.StatusCode == HttpStatusCode.OK && await response.Content.ReadFromJsonAsync<JsonElement>() is var recording && condition(recording))
            {
                return recording;
            }
            await Task.Delay(100, deadline.Token);
        }
    }

    public static async Task<byte[]> AudioAsync(UserSession user, Guid id)
    {
        using var response = await user.GetAsync($"/api/recordings/{id}/audio");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private async Task SendToneAsync(CancellationToken cancellationToken)
    {
        var encoder = new OpusAudioEncoder();
        var frame = new float[960];
        var packet = new byte[OpusAudioEncoder.MaxPacketBytes];
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        var phase = 0.0;
        try
        {
            for (var index = 0; await timer.WaitForNextTickAsync(cancellationToken); index++)
            {
                // 300 Hz rising by 10 Hz a frame and wrapping, so no two seconds of the recording are alike.
                var frequency = 300 + (index % 100) * 10;
                for (var i = 0; i < frame.Length; i++)
                {
                    frame[i] = (float)(0.2 * Math.Sin(phase));
                    phase += 2 * Math.PI * frequency / 48_000;
                }
                sender.SendOpus(packet.AsSpan(0, encoder.Encode(frame, packet)));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await sending.CancelAsync();
        await pacing;
        sender.Dispose();
        sending.Dispose();
    }
}
