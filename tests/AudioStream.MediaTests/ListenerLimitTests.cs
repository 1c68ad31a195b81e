using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace AudioStream.MediaTests;

/// <summary>Listener caps through the gateway (item 2 of issue 12): the defaults of <c>Media:Listeners</c>.</summary>
[Collection(AppHostCollection.Name)]
public sealed class ListenerLimitTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Parallel_whep_offers_past_three_get_429_with_retry_after_and_hanging_up_frees_a_slot()
    {
        using var alice = await new UserSession(fixture).RegisterAsync();
        using var bob = await new UserSession(fixture).RegisterAsync();
        await alice.BefriendAsync(bob);
        await alice.GoLiveAsync();
        var whep = $"/api/media/whep/{alice.UserName}";

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => bob.PostSdpAsync(whep, MediaTestSupport.Offer("recvonly"))));
        try
        {
            var created = responses.Where(r => r.StatusCode == HttpStatusCode.Created).ToList();
            var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
            Assert.Equal(3, created.Count);
            Assert.Equal(5, refused.Count);
            foreach (var response in refused)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
                var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal("Media:Listeners:MaxPerUser", problem.GetProperty("limit").GetString());
                Assert.Equal(3, problem.GetProperty("max").GetInt32());
            }

            // Another listener is not held back by bob's sessions.
            using var carol = await new UserSession(fixture).RegisterAsync();
            await alice.BefriendAsync(carol);
            Assert.Equal(HttpStatusCode.Created, await UserSession.StatusOfAsync(carol.PostSdpAsync(whep, MediaTestSupport.Offer("recvonly"))));

            Assert.Equal(HttpStatusCode.OK, await UserSession.StatusOfAsync(bob.DeleteAsync(created[0].Headers.Location!.OriginalString)));
            Assert.Equal(HttpStatusCode.Created, await UserSession.StatusOfAsync(bob.PostSdpAsync(whep, MediaTestSupport.Offer("recvonly"))));
            Assert.Equal(HttpStatusCode.TooManyRequests, await UserSession.StatusOfAsync(bob.PostSdpAsync(whep, MediaTestSupport.Offer("recvonly"))));
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }

            await alice.DeleteAsync("/api/media/streams/current");
        }
    }
}
