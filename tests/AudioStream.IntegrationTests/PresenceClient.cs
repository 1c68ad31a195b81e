using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace AudioStream.IntegrationTests;

/// <summary>A presence WebSocket as the page opens it: through the gateway, with the user's cookie.</summary>
public sealed class PresenceClient : IAsyncDisposable
{
    private readonly ClientWebSocket socket = new();
    private readonly Channel<JsonElement> messages = Channel.CreateUnbounded<JsonElement>();
    private readonly CancellationTokenSource stop = new();
    private Task? reader;

    public WebSocketState State => socket.State;

    public WebSocketCloseStatus? CloseStatus => socket.CloseStatus;

    public static async Task<PresenceClient> ConnectAsync(UserSession user)
    {
        var client = new PresenceClient();
        client.socket.Options.Cookies = user.Cookies;
        var uri = new UriBuilder(user.BaseAddress) { Scheme = "ws", Path = "/ws/presence/" }.Uri;
        await client.socket.ConnectAsync(uri, CancellationToken.None);
        client.reader = client.ReadAsync();
        return client;
    }

    public Task SendRawAsync(byte[] payload) =>
        socket.SendAsync(payload, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    /// <summary>The next message matching <paramref name="predicate"/>, skipping others; fails after <paramref name="timeout"/>.</summary>
    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> predicate, TimeSpan? timeout = null, string? what = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        try
        {
            while (true)
            {
                var message = await messages.Reader.ReadAsync(deadline.Token);
                if (predicate(message))
                {
                    return message;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No {what ?? "matching"} presence message within {timeout ?? TimeSpan.FromSeconds(5)}.");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"The socket closed ({socket.CloseStatus}) before a {what ?? "matching"} message came.");
        }
    }

    public Task<JsonElement> WaitForTypeAsync(string type, Func<JsonElement, bool>? also = null, TimeSpan? timeout = null) =>
        WaitForAsync(m => m.GetProperty("type").GetString() == type && (also?.Invoke(m) ?? true), timeout, type);

    /// <summary>Everything that arrives within <paramref name="window"/>.</summary>
    public async Task<List<JsonElement>> CollectAsync(TimeSpan window)
    {
        var collected = new List<JsonElement>();
        using var deadline = new CancellationTokenSource(window);
        try
        {
            while (true)
            {
                collected.Add(await messages.Reader.ReadAsync(deadline.Token));
            }
        }
        catch (OperationCanceledException)
        {
            return collected;
        }
        catch (ChannelClosedException)
        {
            return collected;
        }
    }

    public async Task CloseAsync()
    {
        if (socket.State == WebSocketState.Open)
        {
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await CloseAsync();
        }
        catch (WebSocketException)
        {
        }
        await stop.CancelAsync();
        if (reader is not null)
        {
            await reader;
        }
        socket.Dispose();
        stop.Dispose();
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var length = 0;
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(length).ToArraySegment(), stop.Token);
                    length += result.Count;
                }
                while (!result.EndOfMessage);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
                messages.Writer.TryWrite(JsonDocument.Parse(Encoding.UTF8.GetString(buffer, 0, length)).RootElement.Clone());
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
        {
        }
        finally
        {
            messages.Writer.TryComplete();
        }
    }
}

internal static class MemoryExtensions
{
    public static ArraySegment<byte> ToArraySegment(this Memory<byte> memory) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray<byte>(memory, out var segment) ? segment : throw new InvalidOperationException();
}
