using AudioStream.MediaService.WebRtc.Client;

namespace AudioStream.AbuseTests;

/// <summary>A user live through the C# WebRTC client (WHIP), sending a tone paced like a microphone until disposed.</summary>
internal sealed class ToneBroadcast : IAsyncDisposable
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(20);

    private readonly WebRtcClient sender = new(sends: true);
    private readonly CancellationTokenSource stop = new();
    private Task pacing = Task.CompletedTask;

    private ToneBroadcast(UserSession owner) => Owner = owner;

    public UserSession Owner { get; }

    public static async Task<ToneBroadcast> StartAsync(UserSession owner)
    {
        var broadcast = new ToneBroadcast(owner);
        var (_, whipUrl) = await owner.GoLiveAsync(denoise: false);
        await broadcast.sender.ConnectAsync(await MediaTestSupport.AnswerAsync(owner, whipUrl, broadcast.sender.Offer), ConnectTimeout);
        broadcast.pacing = MediaTestSupport.SendToneAsync(broadcast.sender, broadcast.stop.Token);
        return broadcast;
    }

    /// <summary>Connects <paramref name="listener"/> over WHEP and waits until the tone reaches it.</summary>
    public async Task<WebRtcClient> ListenAsync(UserSession listener)
    {
        var client = new WebRtcClient(sends: false);
        await client.ConnectAsync(
            await MediaTestSupport.AnswerAsync(listener, $"/api/media/whep/{Owner.UserName}", client.Offer), ConnectTimeout);
        using var deadline = new CancellationTokenSource(ConnectTimeout);
        while (client.PacketsReceived < 5)
        {
            await Task.Delay(20, deadline.Token);
        }
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await pacing;
        sender.Dispose(); // close_notify: the stream ends if it is still live
        stop.Dispose();
    }
}
