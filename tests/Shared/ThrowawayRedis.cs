using System.Diagnostics;
using System.Net.Sockets;
using StackExchange.Redis;

namespace AudioStream.Testing;

/// <summary>
/// A real Redis server (the machine's <c>redis-server</c>, installed by <c>./test.sh</c>) listening on no TCP port,
/// only on a Unix socket in a temporary folder, keeping nothing on disk; stopped and deleted on dispose. For tests of
/// Redis scripts without the whole AppHost.
/// </summary>
public sealed class ThrowawayRedis : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("audiostream-test-redis-").FullName;
    private Process? _server;

    private string Socket => Path.Combine(_root, "redis.sock");

    public IConnectionMultiplexer Connection { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var start = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["--port", "0", "--unixsocket", Socket, "--save", "", "--appendonly", "no", "--dir", _root])
        {
            start.ArgumentList.Add(argument);
        }
        _server = Process.Start(start) ?? throw new InvalidOperationException("Could not start redis-server (run ./test.sh, which installs it).");
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(Socket))
        {
            if (_server.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException($"redis-server did not start: {await _server.StandardOutput.ReadToEndAsync()}");
            }
            await Task.Delay(20);
        }
        Connection = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { new UnixDomainSocketEndPoint(Socket) } });
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
        Directory.Delete(_root, recursive: true);
    }
}
