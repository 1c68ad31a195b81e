using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;

namespace AudioStream.PresenceService.Realtime;

/// <summary>
/// One browser socket. Sends go through a bounded outbox drained by a single writer (WebSocket sends must not
/// overlap); a client too slow to keep up with its outbox is disconnected rather than slowing anyone else.
/// Until <see cref="SendFirst"/> has put the all_statuses snapshot out, other messages wait behind it, so the
/// snapshot is always the first message although the socket receives updates while it is being built.
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

    private readonly Lock gate = new();
    private List<string>? held = [];

    public WebSocket Socket => socket;

    public bool Send(string message)
    {
        lock (gate)
        {
            if (held is not null)
            {
                held.Add(message);
                if (held.Count > OutboxCapacity)
                {
                    socket.Abort();
                    return false;
                }

                return true;
            }
        }

        return Enqueue(message);
    }

    /// <summary>Sends the first message, then whatever was held back while it was being prepared.</summary>
    public bool SendFirst(string message)
    {
        lock (gate)
        {
            var waiting = held ?? [];
            held = null;
            bool sent = Enqueue(message);
            foreach (var next in waiting)
            {
                sent &= Enqueue(next);
            }

            return sent;
        }
    }

    private bool Enqueue(string message)
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
