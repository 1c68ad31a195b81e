using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AudioStream.MediaService.WebRtc.Client;
using AudioStream.MediaService.WebRtc.Opus;

namespace AudioStream.IntegrationTests;

/// <summary>
/// A user live through the C# WebRTC client (WHIP, from the page's session or with a stream key), sending a rising
/// tone paced like a microphone until stopped or disposed; friends listen to it over WHEP.
/// </summary>
internal sealed class ToneBroadcast : IAsyncDisposable
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(20);

    private readonly WebRtcClient _sender = new(sends: true);
    private readonly CancellationTokenSource _sending = new();
    private Task _pacing = Task.CompletedTask;

    private ToneBroadcast(UserSession owner) => Owner = owner;

    public UserSession Owner { get; }

    /// <summary>The live session; RecordingService records it under the same id.</summary>
    public Guid SessionId { get; private set; }

    /// <summary>Goes live as the page does (POST /api/media/streams, then WHIP with the session's cookie).</summary>
    public static async Task<ToneBroadcast> StartAsync(UserSession owner, string title = "test")
    {
        using var created = await owner.PostAsync("/api/media/streams", new { denoise = false, title });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var broadcast = new ToneBroadcast(owner) { SessionId = body.GetProperty("sessionId").GetGuid() };
        await broadcast.ConnectAsync(owner.SendAsync, body.GetProperty("whipUrl").GetString()!, streamKey: null);
        return broadcast;
    }

    /// <summary>Goes live as OBS does: WHIP with a stream key (no cookie, over <paramref name="client"/>).</summary>
    public static async Task<ToneBroadcast> StartWithKeyAsync(UserSession owner, string streamKey, HttpClient client)
    {
        var broadcast = new ToneBroadcast(owner);
        var location = await broadcast.ConnectAsync(request => client.SendAsync(request), "/api/media/whip", streamKey);
        // The Location is /api/media/whip/{sessionId}/{resourceId}.
        broadcast.SessionId = Guid.Parse(location.Split('/')[^2]);
        return broadcast;
    }

    /// <summary>Connects <paramref name="listener"/> over WHEP and waits until the tone reaches it.</summary>
    public async Task<WebRtcClient> ListenAsync(UserSession listener)
    {
        var client = new WebRtcClient(sends: false);
        try
        {
            using var answer = await PostSdpAsync(listener.SendAsync, $"/api/media/whep/{Owner.UserName}", client.Offer, streamKey: null);
            await client.ConnectAsync(await answer.Content.ReadAsStringAsync(), ConnectTimeout);
            using var deadline = new CancellationTokenSource(ConnectTimeout);
            while (client.PacketsReceived < 5)
            {
                await Task.Delay(20, deadline.Token);
            }
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Ends the stream as the page's "Stop" does; the recording then completes.</summary>
    public async Task StopAsync()
    {
        Assert.Equal(HttpStatusCode.OK, await UserSession.StatusOfAsync(Owner.DeleteAsync("/api/media/streams/current")));
        await _sending.CancelAsync();
        await _pacing;
    }

    /// <summary>The recording's metadata once <paramref name="condition"/> holds for it.</summary>
    public Task<JsonElement> WaitForRecordingAsync(Func<JsonElement, bool> condition) => WaitForRecordingAsync(Owner, SessionId, condition);

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

    public async ValueTask DisposeAsync()
    {
        await _sending.CancelAsync();
        await _pacing;
        _sender.Dispose(); // close_notify: the stream ends if it is still live
        _sending.Dispose();
    }

    /// <summary>Offers over WHIP, connects and starts the tone; the session's Location.</summary>
    private async Task<string> ConnectAsync(Func<HttpRequestMessage, Task<HttpResponseMessage>> send, string whipUrl, string? streamKey)
    {
        using var answer = await PostSdpAsync(send, whipUrl, _sender.Offer, streamKey);
        await _sender.ConnectAsync(await answer.Content.ReadAsStringAsync(), ConnectTimeout);
        _pacing = SendToneAsync(_sending.Token);
        return answer.Headers.Location!.OriginalString;
    }

    private static async Task<HttpResponseMessage> PostSdpAsync(
        Func<HttpRequestMessage, Task<HttpResponseMessage>> send, string path, string offer, string? streamKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new StringContent(offer, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/sdp");
        if (streamKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", streamKey);
        }
        var response = await send(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return response;
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
                // 300 Hz rising by 10 Hz a frame and wrapping, so no two seconds of a recording are alike.
                var frequency = 300 + (index % 100) * 10;
                for (var i = 0; i < frame.Length; i++)
                {
                    frame[i] = (float)(0.2 * Math.Sin(phase));
                    phase += 2 * Math.PI * frequency / 48_000;
                }
                _sender.SendOpus(packet.AsSpan(0, encoder.Encode(frame, packet)));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
