using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AudioStream.MediaService.Grpc;
using AudioStream.ServiceDefaults.Messaging;
using Grpc.Core;

namespace AudioStream.MediaTests;

/// <summary>The Media rows of API.md through the gateway, against the real AppHost.</summary>
[Collection(AppHostCollection.Name)]
public sealed class MediaApiTests(AppHostFixture fixture)
{
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(10);
    private static readonly string[] Providers = ["cpu", "cuda", "none"];

    [Fact]
    public async Task Going_live_is_one_stream_per_user_and_stopping_ends_it()
    {
        var (events, lifetime) = await MediaTestSupport.SubscribeMediaEventsAsync(fixture);
        await using var _ = lifetime;
        using var alice = await new UserSession(fixture).RegisterAsync();

        using var started = await alice.PostAsync("/api/media/streams", new { denoise = true, title = "Morning" });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var body = await started.Content.ReadFromJsonAsync<JsonElement>();
        var sessionId = body.GetProperty("sessionId").GetGuid();
        Assert.Equal($"/api/media/whip/{sessionId}", body.GetProperty("whipUrl").GetString());
        Assert.True(body.GetProperty("denoise").GetBoolean());
        Assert.True(body.GetProperty("startedAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));
        Assert.Equal(alice.UserName, (await events.NextForAsync<StreamStarted>(alice.UserName, EventTimeout)).UserName);

        using var again = await alice.PostAsync("/api/media/streams", new { denoise = false });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);

        using var stopped = await alice.DeleteAsync("/api/media/streams/current");
        Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
        var summary = await stopped.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(sessionId, summary.GetProperty("sessionId").GetGuid());
        Assert.True(summary.GetProperty("durationSeconds").GetDouble() >= 0);
        // RecordingService keys a stream's recording by its session id (none exists here: no audio was sent).
        Assert.Equal(sessionId, summary.GetProperty("recordingId").GetGuid());
        await events.NextForAsync<StreamEnded>(alice.UserName, EventTimeout);

        Assert.Equal(HttpStatusCode.NotFound, await UserSession.StatusOfAsync(alice.DeleteAsync("/api/media/streams/current")));
        // Ended means ended: its WHIP URL is gone, and going live again works.
        Assert.Equal(HttpStatusCode.NotFound, await UserSession.StatusOfAsync(alice.PostSdpAsync($"/api/media/whip/{sessionId}", MediaTestSupport.Offer("sendonly"))));
        await alice.GoLiveAsync();
        Assert.Equal(HttpStatusCode.OK, await UserSession.StatusOfAsync(alice.DeleteAsync("/api/media/streams/current")));
    }

    [Fact]
    public async Task Two_concurrent_go_lives_make_one_stream()
    {
        using var alice = await new UserSession(fixture).RegisterAsync();
        var statuses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => UserSession.StatusOfAsync(alice.PostAsync("/api/media/streams", new { denoise = false }))));
        Assert.Single(statuses, status => status == HttpStatusCode.Created);
        Assert.All(statuses, status => Assert.Contains(status, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        Assert.Equal(HttpStatusCode.OK, await UserSession.StatusOfAsync(alice.DeleteAsync("/api/media/streams/current")));
    }

    [Fact]
    public async Task Whip_answers_sdp_once_and_its_delete_ends_the_stream()
    {
        var (events, lifetime) = await MediaTestSupport.SubscribeMediaEventsAsync(fixture);
        await using var _ = lifetime;
        using var alice = await new UserSession(fixture).RegisterAsync();
        var (sessionId, whipUrl) = await alice.GoLiveAsync();

        using var whip = await alice.PostSdpAsync(whipUrl, MediaTestSupport.Offer("sendonly"));
        Assert.Equal(HttpStatusCode.Created, whip.StatusCode);
        Assert.Equal("application/sdp", whip.Content.Headers.ContentType?.MediaType);
        var answer = await whip.Content.ReadAsStringAsync();
        Assert.Contains("a=ice-lite", answer, StringComparison.Ordinal);
        Assert.Contains("a=recvonly", answer, StringComparison.Ordinal);
        var location = whip.Headers.Location?.OriginalString;
        Assert.StartsWith($"/api/media/whip/{sessionId}/", location, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Conflict, await UserSession.StatusOfAsync(alice.PostSdpAsync(whipUrl, MediaTestSupport.Offer("sendonly"))));

        Assert.Equal(HttpStatusCode.OK, await UserSession.StatusOfAsync(alice.DeleteAsync(location!)));
        await events.NextForAsync<StreamEnded>(alice.UserName, EventTimeout);
        Assert.Equal(HttpStatusCode.NotFound, await UserSession.StatusOfAsync(alice.DeleteAsync("/api/media/streams/current")));
        Assert.Equal(HttpStatusCode.NotFound, await UserSession.StatusOfAsync(alice.DeleteAsync(location!)));
    }

    [Fact]
    public async Task Whip_on_someone_elses_session_is_forbidden()
    {
        using var alice = await new UserSession(fixture).RegisterAsync();
        using var mallory = await new UserSession(fixture).RegisterAsync();
        var (_, whipUrl) = await alice.GoLiveAsync();

        Assert.Equal(HttpStatusCode.Forbidden, await UserSession.StatusOfAsync(mallory.PostSdpAsync(whipUrl, MediaTestSupport.Offer("sendonly"))));
        Assert.Equal(HttpStatusCode.NotFound, await UserSession.StatusOfAsync(mallory.PostSdpAsync($"/api/media/whip/{Guid.NewGuid()}", MediaTestSupport.Offer("sendonly"))));
        await alice.DeleteAsync("/api/media/streams/current");
    }

    [Fact]
    public async Task Bad_offers_are_bad_requests_with_problem_details()
    {
        using var alice = await new UserSession(fixture).RegisterAsync();
        using var bob = await new UserSession(fixture).RegisterAsync();
        await alice.BefriendAsync(bob);
        var (_, whipUrl) = await alice.GoLiveAsync();

        foreach (var (user, path) in new[] { (alice, whipUrl), (bob, $"/api/media/whep/{alice.UserName}") })
        {
            using var response = await user.PostSdpAsync(path, "v=0\r\nthis is not sdp\r\n");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("The SDP offer is not valid.", problem.GetProperty("title").GetString());
            Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        }

        await alice.DeleteAsync("/api/media/streams/current");
    }

    [Fact]
    public async Task Listening_to_a_non_friend_is_forbidden_and_to_a_friend_not_live_is_not_found()
    {
        using var alice = await new UserSession(fixture).RegisterAsync();
        using var bob = await new UserSession(fixture).RegisterAsync();
        using var stranger = await new UserSession(fixture).RegisterAsync();
        await alice.BefriendAsync(bob);
        var whep = $"/api/media/whep/{alice.UserName}";

        Assert.Equal(HttpStatusCode.NotFound, await UserSession.StatusOfAsync(bob.PostSdpAsync(whep, MediaTestSupport.Offer("recvonly"))));
        // A stranger learns nothing about whether alice is live: 403 either way.
        Assert.Equal(HttpStatusCode.Forbidden, await UserSession.StatusOfAsync(stranger.PostSdpAsync(whep, MediaTestSupport.Offer("recvonly"))));

        await alice.GoLiveAsync();
        Assert.Equal(HttpStatusCode.Forbidden, await UserSession.StatusOfAsync(stranger.PostSdpAsync(whep, MediaTestSupport.Offer("recvonly"))));

        using var listening = await bob.PostSdpAsync(whep, MediaTestSupport.Offer("recvonly"));
        Assert.Equal(HttpStatusCode.Created, listening.StatusCode);
        Assert.Contains("a=sendonly", await listening.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var location = listening.Headers.Location!.OriginalString;
        Assert.Equal(HttpStatusCode.NotFound, await UserSession.StatusOfAsync(stranger.DeleteAsync(location)));
        Assert.Equal(HttpStatusCode.OK, await UserSession.StatusOfAsync(bob.DeleteAsync(location)));
        Assert.Equal(HttpStatusCode.NotFound, await UserSession.StatusOfAsync(bob.DeleteAsync(location)));

        // Yourself: allowed, for monitoring your own stream.
        Assert.Equal(HttpStatusCode.Created, await UserSession.StatusOfAsync(alice.PostSdpAsync(whep, MediaTestSupport.Offer("recvonly"))));
        await alice.DeleteAsync("/api/media/streams/current");
    }

    [Fact]
    public async Task Stats_are_for_friends_and_yourself_while_live()
    {
        using var alice = await new UserSession(fixture).RegisterAsync();
        using var bob = await new UserSession(fixture).RegisterAsync();
        using var stranger = await new UserSession(fixture).RegisterAsync();
        await alice.BefriendAsync(bob);
        var stats = $"/api/media/streams/{alice.UserName}";

        Assert.Equal(HttpStatusCode.NotFound, await UserSession.StatusOfAsync(bob.GetAsync(stats)));
        Assert.Equal(HttpStatusCode.Forbidden, await UserSession.StatusOfAsync(stranger.GetAsync(stats)));

        var (sessionId, _) = await alice.GoLiveAsync(denoise: true);
        Assert.Equal(HttpStatusCode.Forbidden, await UserSession.StatusOfAsync(stranger.GetAsync(stats)));
        foreach (var viewer in new[] { bob, alice })
        {
            var body = await viewer.GetJsonAsync(stats);
            Assert.Equal(alice.UserName, body.GetProperty("username").GetString());
            Assert.Equal(sessionId, body.GetProperty("sessionId").GetGuid());
            Assert.True(body.GetProperty("denoise").GetBoolean());
            Assert.Equal(0, body.GetProperty("listeners").GetInt32());
            Assert.True(body.GetProperty("durationSeconds").GetDouble() >= 0);
            var denoiser = body.GetProperty("denoiser");
            var available = denoiser.GetProperty("available").GetBoolean();
            Assert.Equal(available, denoiser.GetProperty("reason").ValueKind == JsonValueKind.Null);
            Assert.Contains(denoiser.GetProperty("provider").GetString(), Providers);
            // Frame by frame (the model's state carried) by default: 40 ms added; without a model, pass-through.
            Assert.Equal(available ? "stateful" : "pass-through", denoiser.GetProperty("mode").GetString());
            Assert.Equal(available ? 40 : 0, denoiser.GetProperty("addedDelayMs").GetDouble());
            Assert.Equal(available ? 80 : 40, body.GetProperty("delivery").GetProperty("plannedLatencyMs").GetDouble());
        }

        await alice.DeleteAsync("/api/media/streams/current");
        Assert.Equal(HttpStatusCode.NotFound, await UserSession.StatusOfAsync(bob.GetAsync(stats)));
    }

    [Fact]
    public async Task Media_api_needs_a_session()
    {
        using var anonymous = new UserSession(fixture);
        Assert.Equal(HttpStatusCode.Unauthorized, await UserSession.StatusOfAsync(anonymous.PostAsync("/api/media/streams", new { denoise = false })));
        Assert.Equal(HttpStatusCode.Unauthorized, await UserSession.StatusOfAsync(anonymous.PostSdpAsync($"/api/media/whip/{Guid.NewGuid()}", MediaTestSupport.Offer("sendonly"))));
    }

    [Fact]
    public async Task Grpc_subscribe_needs_a_service_token_and_a_live_stream()
    {
        var anonymous = MediaTestSupport.CreateAnonymousMediaClient(fixture);
        var denied = await Assert.ThrowsAsync<RpcException>(() => ReadFirstAsync(anonymous.Subscribe(new SubscribeRequest { Username = "nobody" })));
        Assert.Equal(StatusCode.Unauthenticated, denied.StatusCode);

        var (client, lifetime) = await MediaTestSupport.CreateMediaClientAsync(fixture);
        await using var _ = lifetime;
        var missing = await Assert.ThrowsAsync<RpcException>(() => ReadFirstAsync(client.Subscribe(new SubscribeRequest { StreamId = Guid.NewGuid().ToString() })));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        var invalid = await Assert.ThrowsAsync<RpcException>(() => ReadFirstAsync(client.Subscribe(new SubscribeRequest())));
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);

        // A live stream that ends before any audio: the call completes cleanly with no chunks.
        using var alice = await new UserSession(fixture).RegisterAsync();
        var (sessionId, _) = await alice.GoLiveAsync();
        using var call = client.Subscribe(new SubscribeRequest { StreamId = sessionId.ToString(), Track = Track.Raw });
        var reading = ReadFirstAsync(call);
        await Task.Delay(200);
        await alice.DeleteAsync("/api/media/streams/current");
        Assert.Null(await reading.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static async Task<AudioChunk?> ReadFirstAsync(AsyncServerStreamingCall<AudioChunk> call)
    {
        using (call)
        {
            return await call.ResponseStream.MoveNext(CancellationToken.None) ? call.ResponseStream.Current : null;
        }
    }
}
