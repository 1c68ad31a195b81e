using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Threading.Channels;
using AudioStream.MediaService.Grpc;
using AudioStream.MediaService.WebRtc.Client;
using AudioStream.MediaService.WebRtc.Opus;
using AudioStream.ServiceDefaults.Messaging;
using AudioStream.ServiceDefaults.Security;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace AudioStream.MediaTests;

/// <summary>Media calls a test makes: WHIP/WHEP with SDP bodies, MediaService's gRPC with a service token, Redis events.</summary>
internal static class MediaTestSupport
{
    /// <summary>A Chromium-shaped offer; enough for the answer (it never connects).</summary>
    public static string Offer(string direction) =>
        "v=0\r\n" +
        "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n" +
        "s=-\r\n" +
        "t=0 0\r\n" +
        "a=group:BUNDLE 0\r\n" +
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" +
        "c=IN IP4 0.0.0.0\r\n" +
        "a=ice-ufrag:EsAw\r\n" +
        "a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n" +
        "a=fingerprint:sha-256 D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:34:8E:5E:EA:6F:AF:52:CE:E6:0F\r\n" +
        "a=setup:actpass\r\n" +
        "a=mid:0\r\n" +
        $"a={direction}\r\n" +
        "a=rtcp-mux\r\n" +
        "a=rtpmap:111 opus/48000/2\r\n";

    public static Task<HttpResponseMessage> PostSdpAsync(this UserSession user, string path, string sdp)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new StringContent(sdp, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/sdp");
        return user.SendAsync(request);
    }

    public static async Task<(Guid SessionId, string WhipUrl)> GoLiveAsync(this UserSession user, bool denoise = false)
    {
        using var response = await user.PostAsync("/api/media/streams", new { denoise, title = "test" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return (body.GetProperty("sessionId").GetGuid(), body.GetProperty("whipUrl").GetString()!);
    }

    /// <summary>POSTs a WHIP or WHEP offer; the SDP answer.</summary>
    public static async Task<string> AnswerAsync(UserSession user, string path, string offer)
    {
        using var response = await user.PostSdpAsync(path, offer);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>A 440 Hz tone, paced like a microphone (20 ms a packet), until cancelled.</summary>
    public static async Task SendToneAsync(WebRtcClient sender, CancellationToken cancellationToken)
    {
        var encoder = new OpusAudioEncoder();
        var frame = Enumerable.Range(0, 960).Select(i => (float)(0.2 * Math.Sin(2 * Math.PI * 440 * i / 48000))).ToArray();
        var packet = new byte[OpusAudioEncoder.MaxPacketBytes];
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                sender.SendOpus(packet.AsSpan(0, encoder.Encode(frame, packet)));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Polls until the condition holds; fails the test (cancelled) after the timeout.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (!await condition())
        {
            await Task.Delay(20, deadline.Token);
        }
    }

    /// <summary>Creates a stream key; the secret comes back this once.</summary>
    public static async Task<(Guid Id, string Key)> CreateStreamKeyAsync(this UserSession user, string name)
    {
        using var response = await user.PostAsync("/api/media/keys", new { name });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal(name, body.GetProperty("name").GetString());
        return (body.GetProperty("id").GetGuid(), body.GetProperty("key").GetString()!);
    }

    /// <summary>
    /// A gRPC client for MediaService carrying a real service token. The test holds the Redis password (it started
    /// the system), so it can read the shared Data Protection key ring like any service; nothing in the product
    /// opens for it.
    /// </summary>
    public static async Task<(MediaStream.MediaStreamClient Client, IAsyncDisposable Lifetime)> CreateMediaClientAsync(AppHostFixture fixture)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "AudioStream.MediaTests" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = await fixture.App.GetConnectionStringAsync("redis"),
        });
        builder.AddSessionAuthentication();
        var host = builder.Build();
        var issuer = host.Services.GetRequiredService<ServiceTokenIssuer>();
        var channel = GrpcChannel.ForAddress(fixture.App.GetEndpoint("media", "grpc"), new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, CallCredentials.FromInterceptor((_, metadata) =>
            {
                metadata.Add("Authorization", $"{ServiceTokenAuthenticationHandler.SchemeName} {issuer.GetToken("media")}");
                return Task.CompletedTask;
            })),
            UnsafeUseInsecureChannelCallCredentials = true,
        });
        return (new MediaStream.MediaStreamClient(channel), new Lifetime(channel, host));
    }

    public static MediaStream.MediaStreamClient CreateAnonymousMediaClient(AppHostFixture fixture) =>
        new(GrpcChannel.ForAddress(fixture.App.GetEndpoint("media", "grpc")));

    /// <summary>Every line a resource (e.g. "media", "gateway") has logged so far.</summary>
    public static async Task<List<string>> LogsAsync(AppHostFixture fixture, string resourceName)
    {
        var logs = fixture.App.Services.GetRequiredService<Aspire.Hosting.ApplicationModel.ResourceLoggerService>();
        var resource = fixture.App.Services.GetRequiredService<Aspire.Hosting.ApplicationModel.DistributedApplicationModel>()
            .Resources.Single(r => r.Name == resourceName);
        var lines = new List<string>();
        await foreach (var batch in logs.GetAllAsync(resource))
        {
            lines.AddRange(batch.Select(line => line.Content));
        }
        return lines;
    }

    /// <summary>Everything MediaService publishes on the media channel from now on.</summary>
    public static async Task<(ChannelReader<MediaEvent> Events, IAsyncDisposable Lifetime)> SubscribeMediaEventsAsync(AppHostFixture fixture)
    {
        var redis = await ConnectionMultiplexer.ConnectAsync((await fixture.App.GetConnectionStringAsync("redis"))!);
        var events = Channel.CreateUnbounded<MediaEvent>();
        var queue = await redis.GetSubscriber().SubscribeAsync(EventChannels.Media);
        queue.OnMessage(message =>
        {
            if (EventChannels.Read<MediaEvent>(message.Message) is { } read)
            {
                events.Writer.TryWrite(read);
            }
        });
        return (events.Reader, redis);
    }

    public static async Task<TEvent> NextForAsync<TEvent>(this ChannelReader<MediaEvent> events, string userName, TimeSpan timeout)
        where TEvent : MediaEvent
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (true)
        {
            if (await events.ReadAsync(cancel.Token) is TEvent next && next.UserName == userName)
            {
                return next;
            }
        }
    }

    private sealed class Lifetime(GrpcChannel channel, IHost host) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            channel.Dispose();
            host.Dispose();
            await Task.CompletedTask;
        }
    }
}
