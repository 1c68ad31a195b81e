using System.Collections.Concurrent;
using System.Net.WebSockets;
using AudioStream.PresenceService.Infrastructure;
using AudioStream.ServiceDefaults.Security;
using StackExchange.Redis;

namespace AudioStream.PresenceService.Realtime;

/// <summary>
/// The sockets connected to this instance and the fan-out to them. Every status change reaches only the
/// sockets of the changed user's friends.
/// </summary>
public sealed class PresenceHub(PresenceStore store, FriendDirectory friends, IConnectionMultiplexer redis, ILogger<PresenceHub> logger)
{
    public static readonly RedisChannel PresenceChannel = RedisChannel.Literal("audiostream:events:presence");

    /// <summary>The close reason a socket gets when its sign-in session ends.</summary>
    public const string SessionEnded = "Your session ended.";

    private readonly ConcurrentDictionary<string, PresenceConnection> _connections = new();

    public IEnumerable<PresenceConnection> Connections => _connections.Values;

    public async Task OpenAsync(PresenceConnection connection)
    {
        _connections[connection.Id] = connection;
        if (await store.AddConnectionAsync(connection.UserId, connection.UserName, connection.Id))
        {
            await PublishAsync(new PresenceEvent(connection.UserId, connection.UserName, Online: true));
        }
        await SendAllStatusesAsync(connection, first: true);
    }

    public async Task CloseAsync(PresenceConnection connection)
    {
        _connections.TryRemove(connection.Id, out _);
        connection.CompleteOutbox();
        if (await store.RemoveConnectionAsync(connection.UserId, connection.Id))
        {
            await PublishAsync(new PresenceEvent(connection.UserId, connection.UserName, Online: false));
        }
        if (!_connections.Values.Any(c => c.UserId == connection.UserId))
        {
            friends.Forget(connection.UserId);
        }
    }

    /// <param name="first">The socket's first message: updates that reached it meanwhile go out after it.</param>
    public async Task SendAllStatusesAsync(PresenceConnection connection, bool first = false)
    {
        var friendsOfUser = await friends.GetFriendsAsync(connection.UserId);
        var statuses = await store.GetStatusesAsync(friendsOfUser.Values.ToList());
        var message = PresenceMessages.AllStatuses(statuses);
        if (first)
        {
            connection.SendFirst(message);
        }
        else
        {
            connection.Send(message);
        }
    }

    /// <summary>Sends <paramref name="message"/> to every local socket of a friend of <paramref name="userId"/>.</summary>
    public async Task SendToFriendsOfAsync(Guid userId, string message)
    {
        foreach (var connection in _connections.Values)
        {
            try
            {
                if (await friends.AreFriendsAsync(connection.UserId, userId))
                {
                    connection.Send(message);
                }
            }
            catch (Exception exception) when (exception is Grpc.Core.RpcException or HttpRequestException)
            {
                logger.LogWarning(exception, "Could not check the friends of {UserId}", connection.UserId);
            }
        }
    }

    /// <summary>The user's friend list changed: tell each of their sockets, then give them the new picture.</summary>
    public async Task RefreshFriendsAsync(Guid userId)
    {
        friends.Forget(userId);
        foreach (var connection in _connections.Values.Where(c => c.UserId == userId))
        {
            connection.Send(PresenceMessages.FriendsChanged);
            await SendAllStatusesAsync(connection);
        }
    }

    /// <summary>Closes the user's sockets that were opened with <paramref name="sessionId"/> (it was revoked: logout).</summary>
    public void CloseSession(Guid userId, string sessionId)
    {
        foreach (var connection in _connections.Values.Where(c => c.UserId == userId && c.SessionId == sessionId))
        {
            connection.Close(WebSocketCloseStatus.PolicyViolation, SessionEnded);
        }
    }

    /// <summary>Closes every socket whose session is no longer active: the bound when a revocation event was missed.</summary>
    public async Task CloseRevokedSessionsAsync(SessionStore sessions)
    {
        foreach (var session in _connections.Values.GroupBy(c => (c.UserId, c.SessionId)))
        {
            if (!await sessions.IsActiveAsync(session.Key.SessionId, session.Key.UserId))
            {
                CloseSession(session.Key.UserId, session.Key.SessionId);
            }
        }
    }

    public void SendToUser(Guid userId, string message)
    {
        foreach (var connection in _connections.Values.Where(c => c.UserId == userId))
        {
            connection.Send(message);
        }
    }

    public Task PublishAsync(PresenceEvent presenceEvent) =>
        AudioStream.ServiceDefaults.Messaging.EventChannels.PublishAsync(redis, PresenceChannel, presenceEvent);
}
