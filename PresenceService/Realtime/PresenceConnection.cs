using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;

namespace AudioStream.PresenceService.Realtime;

/// <summary>
/// One browser socket. Sends go through a bounded outbox drained by a single writer (WebSocket sends must not
/// overlap); a client too slow to keep up with its outbox is disconnected rather than slowing anyone else.
/// </summary>
public sealed class PresenceConnection(Guid userId, string userName, WebSocket socket)
{
    private const int OutboxCapacity = 256;

    private readonly Channel<string> outbox = Channel.CreateBounded<string>(new BoundedChannelOptions(OutboxCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    public string Id { get; } = Guid.NewGuid().ToString("N");

    public Guid UserId { get; } = userId;

    public string UserName { get; } = userName;

    public WebSocket Socket => socket;

    public bool Send(string message)
    {
        if (outbox.Writer.TryWrite(message))
        {
            return true;
        }
        // Full: this client stopped reading. Closing it beats delivering a stale picture.
        socket.Abort();
        return false;
    }

    public void CompleteOutbox() => outbox.Writer.TryComplete();

    public async Task RunWriterAsync(CancellationToken cancellationToken)
    {
        await foreach (var message in outbox.Reader.ReadAllAsync(cancellationToken))
        {
            if (socket.State != WebSocketState.Open)
            {
                return;
            }
            await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
    }
}
