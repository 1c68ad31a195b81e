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
/// <param name="sessionId">The sign-in session the socket was opened with; the socket lasts no longer than it.</param>
public sealed class PresenceConnection(Guid userId, string userName, string sessionId, WebSocket socket)
{
    private const int OutboxCapacity = 256;

    /// <summary>How long a client gets to answer our close before the socket is cut.</summary>
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(2);

    private readonly Channel<string> _outbox = Channel.CreateBounded<string>(new BoundedChannelOptions(OutboxCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    public string Id { get; } = Guid.NewGuid().ToString("N");

    public Guid UserId { get; } = userId;

    public string UserName { get; } = userName;

    public string SessionId { get; } = sessionId;

    private readonly Lock _gate = new();
    private List<string>? _held = [];
    private volatile CloseRequest? _closing;

    public WebSocket Socket => socket;

    public bool Send(string message)
    {
        lock (_gate)
        {
            if (_held is not null)
            {
                _held.Add(message);
                if (_held.Count > OutboxCapacity)
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
        lock (_gate)
        {
            var waiting = _held ?? [];
            _held = null;
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
        if (_outbox.Writer.TryWrite(message))
        {
            return true;
        }
        if (_closing is not null)
        {
            // Closing: later messages have nowhere to go, and the close frame must still get out.
            return false;
        }
        // Full: this client stopped reading. Closing it beats delivering a stale picture.
        socket.Abort();
        return false;
    }

    public void CompleteOutbox() => _outbox.Writer.TryComplete();

    /// <summary>
    /// Closes the socket from the server's side (the session ended): what is queued goes out first, then the close
    /// frame; a client that does not answer it is cut off.
    /// </summary>
    public void Close(WebSocketCloseStatus status, string description)
    {
        Interlocked.CompareExchange(ref _closing, new CloseRequest(status, description), null);
        _outbox.Writer.TryComplete();
    }

    public async Task RunWriterAsync(CancellationToken cancellationToken)
    {
        await foreach (var message in _outbox.Reader.ReadAllAsync(cancellationToken))
        {
            if (socket.State != WebSocketState.Open)
            {
                return;
            }
            await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }

        if (_closing is { } reason && socket.State == WebSocketState.Open)
        {
            await socket.CloseOutputAsync(reason.Status, reason.Description, cancellationToken);
            // The receive loop ends when the client answers; one that never does must not keep the socket.
            await Task.Delay(CloseHandshakeTimeout, cancellationToken);
            socket.Abort();
        }
    }

    private sealed record CloseRequest(WebSocketCloseStatus Status, string Description);
}
