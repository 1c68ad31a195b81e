#:property PublishAot=false
#:project ../MediaService.WebRtc.Client/MediaService.WebRtc.Client.csproj
// What the media registry lookup adds to a WHEP request (issue #13). Needs a running app (./run.sh, any Media:Nodes).
// Usage: dotnet run benchmarks/media-routing.cs -- [BASE_URL] [REQUESTS]
// A broadcaster goes live (connected, sending silence), a friend sends REQUESTS
// WHEP offers one after another and hangs each up. For each POST the gateway reports how long choosing the node took
// (Server-Timing: media-route, the Redis round trip that finds the stream's node), next to the whole request's time.
using System.Globalization;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using AudioStream.MediaService.WebRtc.Client;

var gateway = new Uri(args.Length > 0 ? args[0] : "http://localhost:8080");
var requests = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 300;
var run = Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);

var owner = await SignedUpAsync($"routeowner{run}");
var listener = await SignedUpAsync($"routelistener{run}");
await Expect(owner.Client.PostAsJsonAsync("/api/social/requests", new { username = listener.Name }), HttpStatusCode.Created);
await Expect(listener.Client.PostAsJsonAsync("/api/social/requests", new { username = owner.Name }), HttpStatusCode.OK);
// The broadcaster connects and sends silence (a 20 ms Opus frame of it) so the stream stays live however long the run.
using var live = await owner.Client.PostAsJsonAsync("/api/media/streams", new { denoise = false });
if (live.StatusCode != HttpStatusCode.Created)
{
    throw new InvalidOperationException($"go live: {(int)live.StatusCode} {await live.Content.ReadAsStringAsync()}");
}
var whipUrl = (await live.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("whipUrl").GetString()!;
using var broadcaster = new WebRtcClient(sends: true);
using (var whipOffer = new StringContent(broadcaster.Offer))
{
    whipOffer.Headers.ContentType = new("application/sdp");
    using var whipAnswer = await owner.Client.PostAsync(whipUrl, whipOffer);
    await broadcaster.ConnectAsync(await whipAnswer.Content.ReadAsStringAsync(), TimeSpan.FromSeconds(10));
}
using var stopSending = new CancellationTokenSource();
var silence = Task.Run(async () =>
{
    using var beat = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
    while (await beat.WaitForNextTickAsync(stopSending.Token).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result))
    {
        broadcaster.SendOpus([0xF8, 0xFF, 0xFE]);
    }
});

using var peer = new WebRtcClient(sends: false);
var routing = new List<double>(requests);
var total = new List<double>(requests);
var nodes = new Dictionary<string, int>();
for (var i = 0; i < requests + 10; i++)
{
    using var offer = new StringContent(peer.Offer);
    offer.Headers.ContentType = new("application/sdp");
    var started = Stopwatch.GetTimestamp();
    using var answer = await listener.Client.PostAsync($"/api/media/whep/{owner.Name}", offer);
    var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    if (answer.StatusCode != HttpStatusCode.Created)
    {
        throw new InvalidOperationException($"WHEP {i}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
    }
    using var hangUp = await listener.Client.DeleteAsync(answer.Headers.Location);
    if (i < 10)
    {
        continue; // warm-up: connections, JIT, script cache
    }
    total.Add(elapsed);
    routing.Add(RouteMilliseconds(answer));
    var node = answer.Headers.TryGetValues("X-AudioStream-Node", out var named) ? named.Single() : "(none)";
    nodes[node] = nodes.GetValueOrDefault(node) + 1;
}
await stopSending.CancelAsync();
await silence;
await owner.Client.DeleteAsync("/api/media/streams/current");

Console.WriteLine($"{requests} WHEP POSTs through {gateway}, served by {string.Join(", ", nodes.Select(n => $"{n.Key} ×{n.Value}"))}");
Console.WriteLine($"registry lookup (Server-Timing media-route): p50 {Percentile(routing, 50):F3} ms, p99 {Percentile(routing, 99):F3} ms");
Console.WriteLine($"whole WHEP POST (offer → SDP answer):        p50 {Percentile(total, 50):F2} ms, p99 {Percentile(total, 99):F2} ms");
Console.WriteLine($"lookup share of the request at p50: {100 * Percentile(routing, 50) / Percentile(total, 50):F1} %");
return 0;

static double RouteMilliseconds(HttpResponseMessage response)
{
    foreach (var metric in response.Headers.TryGetValues("Server-Timing", out var values) ? values : [])
    {
        var parts = metric.Split(';', StringSplitOptions.TrimEntries);
        if (parts[0] == "media-route" && parts.FirstOrDefault(p => p.StartsWith("dur=", StringComparison.Ordinal)) is { } duration)
        {
            return double.Parse(duration[4..], CultureInfo.InvariantCulture);
        }
    }
    throw new InvalidOperationException("The gateway sent no Server-Timing media-route (an older gateway?).");
}

static double Percentile(List<double> values, int percent)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Clamp((int)Math.Ceiling(percent / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
}

static async Task Expect(Task<HttpResponseMessage> pending, HttpStatusCode expected)
{
    using var response = await pending;
    if (response.StatusCode != expected)
    {
        throw new InvalidOperationException($"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}

async Task<(HttpClient Client, string Name)> SignedUpAsync(string name)
{
    var client = new HttpClient(new SocketsHttpHandler { CookieContainer = new CookieContainer() }) { BaseAddress = gateway };
    await Expect(client.PostAsJsonAsync("/api/identity/register", new { username = name, email = $"{name}@example.com", password = "benchmark password" }),
        HttpStatusCode.Created);
    return (client, name);
}
