using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace AudioStream.MediaTests;

/// <summary>
/// The ICE servers handed to signed-in users, and the coturn relay behind them: it takes the short-lived credential
/// MediaService signed, refuses forged and expired ones, and relays to the media node only.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class TurnRelayTests(AppHostFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Ice_servers_need_a_session()
    {
        using var anonymous = fixture.CreateGatewayClient();

        using var response = await anonymous.GetAsync(new Uri("/api/media/ice-servers", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Ice_servers_carry_a_credential_for_the_user_and_whip_answers_list_them_as_links()
    {
        using var alice = await new UserSession(fixture).RegisterAsync();
        var me = await alice.GetJsonAsync("/api/identity/me");

        var body = await alice.GetJsonAsync("/api/media/ice-servers");

        Assert.Equal(86400, body.GetProperty("ttlSeconds").GetInt32());
        var servers = body.GetProperty("iceServers");
        Assert.StartsWith("stun:", servers[0].GetProperty("urls")[0].GetString(), StringComparison.Ordinal);
        var turn = servers[1];
        var urls = turn.GetProperty("urls").EnumerateArray().Select(url => url.GetString()!).ToList();
        Assert.Contains(urls, url => url.StartsWith("turn:", StringComparison.Ordinal) && url.EndsWith("?transport=udp", StringComparison.Ordinal));
        Assert.Contains(urls, url => url.StartsWith("turn:", StringComparison.Ordinal) && url.EndsWith("?transport=tcp", StringComparison.Ordinal));
        Assert.Contains(urls, url => url.StartsWith("turns:", StringComparison.Ordinal));
        var username = turn.GetProperty("username").GetString()!;
        Assert.EndsWith($":{me.GetProperty("id").GetString()}", username, StringComparison.Ordinal);
        var expiry = DateTimeOffset.FromUnixTimeSeconds(long.Parse(username.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(expiry - DateTimeOffset.UtcNow, TimeSpan.FromHours(23), TimeSpan.FromHours(25));

        var (_, whipUrl) = await alice.GoLiveAsync();
        using var answer = await alice.PostSdpAsync(whipUrl, MediaTestSupport.Offer("sendonly"));
        Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
        var links = answer.Headers.GetValues("Link").ToList();
        Assert.Equal(urls.Count + 1, links.Count);
        Assert.All(links, link => Assert.Contains("rel=\"ice-server\"", link, StringComparison.Ordinal));
        // Signed for this request (its expiry may be a second later than the one above), for the same user.
        Assert.Contains(links, link => link.StartsWith($"<{urls[0]}>", StringComparison.Ordinal)
            && link.Contains($":{me.GetProperty("id").GetString()}\"; credential=\"", StringComparison.Ordinal)
            && link.EndsWith("credential-type=\"password\"", StringComparison.Ordinal));
        using var _ = await alice.DeleteAsync("/api/media/streams/current");
    }

    [Fact]
    public async Task The_relay_allocates_for_a_signed_credential_and_refuses_forged_and_expired_ones()
    {
        var (server, username, password) = await CredentialAsync();
        var secret = await TurnSecretAsync();
        var userId = username[(username.IndexOf(':', StringComparison.Ordinal) + 1)..];

        var (valid, allocation) = await TurnClient.AllocateAsync(server, username, password);
        using (valid)
        {
            Assert.Null(allocation.ErrorCode);
            Assert.NotNull(allocation.Relayed);
        }

        // Forged: the right username with a password not made from the secret.
        var (forged, forgedAnswer) = await TurnClient.AllocateAsync(server, username, Sign("not-the-secret", username));
        forged.Dispose();
        Assert.Equal(401, forgedAnswer.ErrorCode);

        // Tampered: a later expiry with the password of the original username.
        var (tampered, tamperedAnswer) = await TurnClient.AllocateAsync(server, $"{DateTimeOffset.UtcNow.AddDays(30).ToUnixTimeSeconds()}:{userId}", password);
        tampered.Dispose();
        Assert.Equal(401, tamperedAnswer.ErrorCode);

        // Expired: correctly signed, but its time is up.
        var expired = $"{DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds()}:{userId}";
        var (late, lateAnswer) = await TurnClient.AllocateAsync(server, expired, Sign(secret, expired));
        late.Dispose();
        Assert.Equal(401, lateAnswer.ErrorCode);
    }

    [Fact]
    public async Task The_relay_reaches_the_media_node_and_nothing_else()
    {
        var (server, username, password) = await CredentialAsync();
        var (client, allocation) = await TurnClient.AllocateAsync(server, username, password);
        using var _ = client;
        Assert.Null(allocation.ErrorCode);

        var mediaNode = MediaNodeAddress();
        if (mediaNode is not null)
        {
            Assert.Null(await client.CreatePermissionAsync(mediaNode));
        }
        // 403 Forbidden (RFC 8656 §9.1): another host on the internet, a private network, loopback.
        Assert.Equal(403, await client.CreatePermissionAsync(IPAddress.Parse("8.8.8.8")));
        Assert.Equal(403, await client.CreatePermissionAsync(IPAddress.Parse("10.255.0.1")));
        Assert.Equal(403, await client.CreatePermissionAsync(IPAddress.Loopback));
    }

    /// <summary>
    /// Packets to a media node address really go through the relay and back (an echo stands in for MediaService's
    /// socket). Prints the relay's added delay: half the difference of median round trips relayed and direct, the
    /// figure the README quotes for TURN's added mouth-to-ear latency on this machine.
    /// </summary>
    [SkippableFact]
    public async Task Packets_relayed_to_a_media_node_address_come_back_through_the_relay()
    {
        var mediaNode = MediaNodeAddress();
        Skip.If(mediaNode is null, "this machine has no IPv4 address but loopback, so no media node address the relay may reach");
        var (server, username, password) = await CredentialAsync();
        var (client, allocation) = await TurnClient.AllocateAsync(server, username, password);
        using var _ = client;
        Assert.Null(allocation.ErrorCode);
        Assert.Null(await client.CreatePermissionAsync(mediaNode!));

        using var echo = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        echo.Bind(new IPEndPoint(mediaNode!, 0));
        using var stop = new CancellationTokenSource();
        var echoing = EchoAsync(echo, stop.Token);
        var peer = (IPEndPoint)echo.LocalEndPoint!;
        using var direct = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

        var payload = new byte[160]; // one 20 ms Opus frame at ~64 kbit/s
        var relayed = new List<double>();
        var straight = new List<double>();
        var reply = new byte[1500];
        for (var i = 0; i < 200; i++)
        {
            payload[0] = (byte)i;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var back = await client.RelayAsync(peer, payload, TimeSpan.FromSeconds(1));
            relayed.Add(clock.Elapsed.TotalMilliseconds);
            Assert.Equal(payload, back);

            clock.Restart();
            await direct.SendToAsync(payload, peer);
            await direct.ReceiveFromAsync(reply, new IPEndPoint(IPAddress.Any, 0));
            straight.Add(clock.Elapsed.TotalMilliseconds);
        }
        await stop.CancelAsync();
        await echoing;

        double relayedMedian = Median(relayed), directMedian = Median(straight);
        output.WriteLine($"UDP round trip to {peer}: direct median {directMedian:F3} ms, through TURN median {relayedMedian:F3} ms " +
            $"(p90 {Percentile(relayed, 0.9):F3} ms): the relay adds {(relayedMedian - directMedian) / 2:F3} ms each way");
    }

    /// <summary>This machine's own IPv4 address: a media node address, since MediaService runs here.</summary>
    private static IPAddress? MediaNodeAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(nic => nic.OperationalStatus == OperationalStatus.Up && nic.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(nic => nic.GetIPProperties().UnicastAddresses.Select(u => u.Address))
            .FirstOrDefault(address => address.AddressFamily == AddressFamily.InterNetwork);

    private static async Task EchoAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[1500];
        try
        {
            while (true)
            {
                var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), cancellationToken);
                await socket.SendToAsync(buffer.AsMemory(0, received.ReceivedBytes), received.RemoteEndPoint, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static double Median(List<double> values) => Percentile(values, 0.5);

    private static double Percentile(List<double> values, double fraction) =>
        values.Order().ElementAt((int)Math.Min(values.Count - 1, Math.Round(fraction * (values.Count - 1))));

    /// <summary>The TURN REST password (draft-uberti-behave-turn-rest-00), computed here independently of MediaService.</summary>
    private static string Sign(string secret, string username)
    {
#pragma warning disable CA5350 // HMAC-SHA1 is what the TURN REST scheme defines.
        return Convert.ToBase64String(System.Security.Cryptography.HMACSHA1.HashData(
            System.Text.Encoding.UTF8.GetBytes(secret), System.Text.Encoding.UTF8.GetBytes(username)));
#pragma warning restore CA5350
    }

    /// <summary>A fresh user's TURN credential and the relay's UDP address on this machine.</summary>
    private async Task<(IPEndPoint Server, string Username, string Password)> CredentialAsync()
    {
        using var user = await new UserSession(fixture).RegisterAsync();
        var turn = (await user.GetJsonAsync("/api/media/ice-servers")).GetProperty("iceServers")[1];
        var udp = new Uri(turn.GetProperty("urls")[0].GetString()!.Replace("turn:", "turn://", StringComparison.Ordinal));
        return (new IPEndPoint(IPAddress.Loopback, udp.Port), turn.GetProperty("username").GetString()!, turn.GetProperty("credential").GetString()!);
    }

    /// <summary>The shared secret, read as the AppHost holds it (an Aspire secret parameter), to sign a credential with a past expiry.</summary>
    private async Task<string> TurnSecretAsync()
    {
        var model = fixture.App.Services.GetRequiredService<DistributedApplicationModel>();
        var secret = model.Resources.OfType<ParameterResource>().Single(parameter => parameter.Name == "turn-secret");
        return await secret.GetValueAsync(CancellationToken.None) ?? throw new InvalidOperationException("No TURN secret.");
    }
}
