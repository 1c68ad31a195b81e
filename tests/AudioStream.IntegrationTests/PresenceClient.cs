using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace AudioStream.IntegrationTests;

/// <summary>A presence WebSocket as the page opens it: through the gateway, with the user's cookie.</summary>
public sealed class PresenceClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly Channel<JsonElement> _messages = Channel.CreateUnbounded<JsonElement>();
    private readonly CancellationTokenSource _stop = new();
    private Task? _reader;

    public WebSocketState State => _socket.State;

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public static async Task<PresenceClient> ConnectAsync(UserSession user)
    {
        var client = new PresenceClient();
        client._socket.Options.Cookies = user.Cookies;
        var uri = new UriBuilder(user.BaseAddress) { Scheme = "ws", Path = "/ws/presence/" }.Uri;
        await client._socket.ConnectAsync(uri, CancellationToken.None);
        client._reader = client.ReadAsync();
        return client;
    }

    public Task SendRawAsync(byte[] payload) =>
        _socket.SendAsync(payload, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    /// <summary>The next message matching <paramref name="predicate"/>, skipping others; fails after <paramref name="timeout"/>.</summary>
    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> predicate, TimeSpan? timeout = null, string? what = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        try
        {
            while (true)
            {
                var message = await _messages.Reader.ReadAsync(deadline.Token);
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
            throw new InvalidOperationException($"The socket closed ({_socket.CloseStatus}) before a {what ?? "matching"} message came.");
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
                collected.Add(await _messages.Reader.ReadAsync(deadline.Token));
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
        if (_socket.State == WebSocketState.Open)
        {
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
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
        await _stop.CancelAsync();
        if (_reader is not null)
        {
            await _reader;
        }
        _socket.Dispose();
        _stop.Dispose();
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var length = 0;
                WebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(length).ToArraySegment(), _stop.Token);
                    length += result.Count;
                }
                while (!result.EndOfMessage);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
                _messages.Writer.TryWrite(JsonDocument.Parse(Encoding.UTF8.GetString(buffer, 0, length)).RootElement.Clone());
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
        {
        }
        finally
        {
            _messages.Writer.TryComplete();
        }
    }
}

internal static class MemoryExtensions
{
    public static ArraySegment<byte> ToArraySegment(this Memory<byte> memory) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray<byte>(memory, out var segment) ? segment : throw new InvalidOperationException();
}
