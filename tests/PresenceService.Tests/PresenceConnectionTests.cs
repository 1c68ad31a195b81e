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
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
        using var server = await listener.AcceptTcpClientAsync();
        using var serverSocket = WebSocket.CreateFromStream(server.GetStream(), isServer: true, subProtocol: null, keepAliveInterval: TimeSpan.Zero);
        using var browserSocket = WebSocket.CreateFromStream(client.GetStream(), isServer: false, subProtocol: null, keepAliveInterval: TimeSpan.Zero);
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
}
