using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using AudioStream.PresenceService.Realtime;

namespace AudioStream.PresenceService.Tests;

public sealed class PresenceConnectionTests
{
    [Fact]
    public async Task The_snapshot_goes_out_first_even_when_updates_reach_the_socket_while_it_is_built()
    {
        using var sockets = await SocketPair.ConnectAsync();
        var (serverSocket, browserSocket) = (sockets.Server, sockets.Browser);
        var connection = new PresenceConnection(Guid.NewGuid(), "alice", "session", serverSocket);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var writer = connection.RunWriterAsync(stop.Token);

        // A friend's update arrives between the socket being registered and the snapshot being sent.
        connection.Send("update 1");
        connection.Send("update 2");
        connection.SendFirst("all_statuses");
        connection.Send("update 3");

        var received = new List<string>();
        var buffer = new byte[256];
        while (received.Count < 4)
        {
            var result = await browserSocket.ReceiveAsync(buffer, stop.Token);
            received.Add(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }

        Assert.Equal(["all_statuses", "update 1", "update 2", "update 3"], received);
        connection.CompleteOutbox();
        await writer;
    }

    [Fact]
    public async Task Closing_for_an_ended_session_sends_what_is_queued_then_the_close_frame()
    {
        using var sockets = await SocketPair.ConnectAsync();
        var (serverSocket, browserSocket) = (sockets.Server, sockets.Browser);
        var connection = new PresenceConnection(Guid.NewGuid(), "alice", "session", serverSocket);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var writer = connection.RunWriterAsync(stop.Token);

        connection.SendFirst("all_statuses");
        connection.Close(WebSocketCloseStatus.PolicyViolation, "Your session ended.");
        Assert.False(connection.Send("too late"));

        var buffer = new byte[256];
        var first = await browserSocket.ReceiveAsync(buffer, stop.Token);
        Assert.Equal("all_statuses", Encoding.UTF8.GetString(buffer, 0, first.Count));
        var closing = await browserSocket.ReceiveAsync(buffer, stop.Token);
        Assert.Equal(WebSocketMessageType.Close, closing.MessageType);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, browserSocket.CloseStatus);
        Assert.Equal("Your session ended.", browserSocket.CloseStatusDescription);

        // The client does not answer: the server cuts the socket rather than waiting for it.
        await writer.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(WebSocketState.Aborted, serverSocket.State);
    }

    /// <summary>Both ends of a WebSocket over loopback TCP: the service's and the browser's.</summary>
    private sealed class SocketPair : IDisposable
    {
        private readonly TcpClient _client;
        private readonly TcpClient _server;

        private SocketPair(TcpClient client, TcpClient server)
        {
            _client = client;
            _server = server;
            Server = WebSocket.CreateFromStream(server.GetStream(), isServer: true, subProtocol: null, keepAliveInterval: TimeSpan.Zero);
            Browser = WebSocket.CreateFromStream(client.GetStream(), isServer: false, subProtocol: null, keepAliveInterval: TimeSpan.Zero);
        }

        public WebSocket Server { get; }

        public WebSocket Browser { get; }

        public static async Task<SocketPair> ConnectAsync()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var client = new TcpClient();
            await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
            return new SocketPair(client, await listener.AcceptTcpClientAsync());
        }

        public void Dispose()
        {
            Server.Dispose();
            Browser.Dispose();
            _server.Dispose();
            _client.Dispose();
        }
    }
}
