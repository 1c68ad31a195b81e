#:property PublishAot=false
// Sign-in for real people while others flood POST /api/identity/login with random names (issue #12, items 4 and 5).
// Needs a running app (./run.sh). Usage:
//   dotnet run benchmarks/login-flood.cs -- [BASE_URL] [SECONDS] [FLOOD_CONNECTIONS] [FLOOD_ADDRESSES]
// Eight real users, each on an address of their own (127.0.1.x), sign in every 3.5 s (inside the default 20 a minute
// per address). Three phases of SECONDS each: quiet; a flood from one address (127.0.2.1) on FLOOD_CONNECTIONS
// connections; a flood from FLOOD_ADDRESSES addresses (127.0.3.0/24 and on), one connection each, which the
// per-address limit cannot stop alone (each new address brings its own burst), so the hashing gate has to.
// All of 127/8 is on the loopback interface, so the gateway sees each client's own address.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;

var gateway = new Uri(args.Length > 0 ? args[0] : "http://localhost:8080");
var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
var floodConnections = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 32;
var floodAddresses = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 256;
const int RealUsers = 8;
const string Password = "benchmark password";
var pause = TimeSpan.FromSeconds(3.5);
var run = Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);

var users = new List<(HttpClient Client, string Name)>();
for (var i = 0; i < RealUsers; i++)
{
    var client = ClientFrom(Address(1, i));
    var name = $"real{run}_{i}";
    using var registered = await client.PostAsJsonAsync("/api/identity/register", new { username = name, email = $"{name}@example.com", password = Password });
    if (registered.StatusCode != HttpStatusCode.Created)
    {
        throw new InvalidOperationException($"register {name}: {(int)registered.StatusCode} {await registered.Content.ReadAsStringAsync()}");
    }
    users.Add((client, name));
}

Console.WriteLine($"{RealUsers} real users signing in every {pause.TotalSeconds} s; {seconds} s per phase; gateway {gateway}");
await PhaseAsync("quiet", floodTasks: 0, floodAddress: _ => IPAddress.Loopback);
await PhaseAsync($"flood from one address, {floodConnections} connections", floodConnections, _ => Address(2, 0));
await PhaseAsync($"flood from {floodAddresses} addresses", floodAddresses, connection => Address(3, connection));

async Task PhaseAsync(string title, int floodTasks, Func<int, IPAddress> floodAddress)
{
    var real = new ConcurrentBag<(int Status, double Milliseconds)>();
    var flood = new ConcurrentBag<int>();
    var clock = Stopwatch.StartNew();
    var end = TimeSpan.FromSeconds(seconds);
    using var stop = new CancellationTokenSource(end);

    var realTasks = users.Select(async user =>
    {
        while (clock.Elapsed < end)
        {
            var started = Stopwatch.GetTimestamp();
            var status = await StatusAsync(user.Client, user.Name, Password, CancellationToken.None);
            real.Add((status, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
            await Task.Delay(pause);
        }
    });
    var floodLoops = Enumerable.Range(0, floodTasks).Select(async connection =>
    {
        using var client = ClientFrom(floodAddress(connection));
        while (!stop.IsCancellationRequested)
        {
            var status = await StatusAsync(client, $"x{Random.Shared.Next():x8}", "random guess", stop.Token);
            if (status >= 0)
            {
                flood.Add(status);
            }
        }
    });
    await Task.WhenAll(realTasks.Concat(floodLoops));

    var elapsed = clock.Elapsed.TotalSeconds;
    var ok = real.Where(r => r.Status == 200).Select(r => r.Milliseconds).Order().ToList();
    Console.WriteLine($"== {title}");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  real users: {ok.Count}/{real.Count} signed in ({ok.Count / elapsed:F2}/s), p50 {Percentile(ok, 0.5):F0} ms, p99 {Percentile(ok, 0.99):F0} ms, max {(ok.Count > 0 ? ok[^1] : 0):F0} ms; other answers: {Breakdown(real.Where(r => r.Status != 200).Select(r => r.Status))}"));
    if (floodTasks > 0)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  flood: {flood.Count / elapsed:F0} requests/s: {Breakdown(flood)}"));
    }
}

static async Task<int> StatusAsync(HttpClient client, string userName, string password, CancellationToken cancellationToken)
{
    try
    {
        using var response = await client.PostAsJsonAsync("/api/identity/login", new { username = userName, password }, cancellationToken);
        return (int)response.StatusCode;
    }
    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
    {
        return -1;
    }
    catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
    {
        return 0;
    }
}

static string Breakdown(IEnumerable<int> statuses) =>
    string.Join(", ", statuses.GroupBy(s => s).OrderBy(g => g.Key).Select(g => $"{(g.Key == 0 ? "failed" : g.Key.ToString(CultureInfo.InvariantCulture))} ×{g.Count()}")) is { Length: > 0 } text ? text : "none";

static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

static IPAddress Address(int block, int index) => new([127, 0, (byte)(block + index / 250), (byte)(1 + index % 250)]);

HttpClient ClientFrom(IPAddress from) => new(new SocketsHttpHandler
{
    UseCookies = false,
    ConnectCallback = async (context, cancellationToken) =>
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(from, 0));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    },
})
{ BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(30) };
