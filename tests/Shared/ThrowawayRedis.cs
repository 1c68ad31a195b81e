using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace AudioStream.Testing;

/// <summary>
/// A real Redis server of the machine's own binary (<c>redis-server</c>, installed by <c>./test.sh</c>) on a free
/// loopback port, without persistence; stopped on dispose. For tests of Redis scripts without the whole AppHost.
/// </summary>
public sealed class ThrowawayRedis : IAsyncLifetime
{
    private Process? _server;

    public IConnectionMultiplexer Connection { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var port = FreePort();
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        {
            start.ArgumentList.Add(argument);
        }
        _server = Process.Start(start) ?? throw new InvalidOperationException("Could not start redis-server (apt-get install redis-server).");
        _ = _server.StandardOutput.ReadToEndAsync();
        _ = _server.StandardError.ReadToEndAsync();
        var options = new ConfigurationOptions { EndPoints = { { IPAddress.Loopback, port } }, AbortOnConnectFail = false, ConnectRetry = 20 };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            Connection = await ConnectionMultiplexer.ConnectAsync(options);
            if (Connection.IsConnected)
            {
                return;
            }
            await Connection.DisposeAsync();
            if (deadline.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new TimeoutException("redis-server did not answer within 20 s.");
            }
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        if (Connection is not null)
        {
            await Connection.DisposeAsync();
        }
        if (_server is { HasExited: false })
        {
            _server.Kill();
            await _server.WaitForExitAsync();
        }
        _server?.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
