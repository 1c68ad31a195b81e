using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace AudioStream.IntegrationTests;

[Collection(AppHostCollection.Name)]
public sealed class SocialApiTests(AppHostFixture fixture)
{
    private async Task<(UserSession Alice, UserSession Bob)> TwoUsersAsync()
    {
        var alice = await new UserSession(fixture, UserSession.UniqueName("alice")).RegisterAsync();
        var bob = await new UserSession(fixture, UserSession.UniqueName("bob")).RegisterAsync();
        return (alice, bob);
    }

    private static async Task<string> SendRequestAsync(UserSession from, UserSession to)
    {
        using var response = await from.PostAsync("/api/social/requests", new { username = to.UserName });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(to.UserName, body.GetProperty("username").GetString());
        Assert.True(body.TryGetProperty("createdAt", out _));
        return body.GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task A_request_shows_on_both_sides_and_accepting_makes_friends()
    {
        var (alice, bob) = await TwoUsersAsync();
        using var disposeAlice = alice;
        using var disposeBob = bob;
        var id = await SendRequestAsync(alice, bob);

        var aliceRequests = await alice.GetJsonAsync("/api/social/requests");
        Assert.Equal(id, aliceRequests.GetProperty("outgoing")[0].GetProperty("id").GetString());
        Assert.Equal(0, aliceRequests.GetProperty("incoming").GetArrayLength());
        var bobRequests = await bob.GetJsonAsync("/api/social/requests");
        Assert.Equal(alice.UserName, bobRequests.GetProperty("incoming")[0].GetProperty("username").GetString());

        using var accepted = await bob.PostAsync($"/api/social/requests/{id}/accept");
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);

        var aliceFriends = await alice.GetJsonAsync("/api/social/friends");
        Assert.Equal(bob.UserName, aliceFriends[0].GetProperty("username").GetString());
        Assert.True(aliceFriends[0].TryGetProperty("since", out _));
        Assert.Equal(alice.UserName, (await bob.GetJsonAsync("/api/social/friends"))[0].GetProperty("username").GetString());
        Assert.Equal(0, (await bob.GetJsonAsync("/api/social/requests")).GetProperty("incoming").GetArrayLength());
    }

    /// <summary>Rounds of each race below: each one a chance for the two requests to meet inside the service.</summary>
    private const int RaceRounds = 5;

    [Fact]
    public async Task Crossing_requests_make_one_friendship_answering_201_and_200_never_500()
    {
        var (alice, bob) = await TwoUsersAsync();
        using var disposeAlice = alice;
        using var disposeBob = bob;
        for (var round = 0; round < RaceRounds; round++)
        {
            var statuses = await AtOnceAsync(
                alice.PostAsync("/api/social/requests", new { username = bob.UserName }),
                bob.PostAsync("/api/social/requests", new { username = alice.UserName }));

            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Created], statuses.Order());
            Assert.Equal(bob.UserName, Assert.Single((await alice.GetJsonAsync("/api/social/friends")).EnumerateArray()).GetProperty("username").GetString());
            var requests = await alice.GetJsonAsync("/api/social/requests");
            Assert.Equal(0, requests.GetProperty("incoming").GetArrayLength() + requests.GetProperty("outgoing").GetArrayLength());
            Assert.Equal(HttpStatusCode.NoContent, await UserSession.StatusOfAsync(alice.DeleteAsync($"/api/social/friends/{bob.UserName}")));
        }
    }

    [Fact]
    public async Task A_double_accept_answers_200_and_404_never_500()
    {
        var (alice, bob) = await TwoUsersAsync();
        using var disposeAlice = alice;
        using var disposeBob = bob;
        for (var round = 0; round < RaceRounds; round++)
        {
            var id = await SendRequestAsync(alice, bob);

            var statuses = await AtOnceAsync(
                bob.PostAsync($"/api/social/requests/{id}/accept"),
                bob.PostAsync($"/api/social/requests/{id}/accept"));

            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.NotFound], statuses.Order());
            Assert.Equal(1, (await bob.GetJsonAsync("/api/social/friends")).GetArrayLength());
            Assert.Equal(HttpStatusCode.NoContent, await UserSession.StatusOfAsync(bob.DeleteAsync($"/api/social/friends/{alice.UserName}")));
        }
    }

    [Fact]
    public async Task Accept_racing_a_cancel_lets_one_happen_and_answers_the_other_404_never_500()
    {
        var (alice, bob) = await TwoUsersAsync();
        using var disposeAlice = alice;
        using var disposeBob = bob;
        for (var round = 0; round < RaceRounds; round++)
        {
            var id = await SendRequestAsync(alice, bob);

            var statuses = await AtOnceAsync(
                bob.PostAsync($"/api/social/requests/{id}/accept"),
                alice.DeleteAsync($"/api/social/requests/{id}"));

            var accepted = statuses[0] == HttpStatusCode.OK;
            HttpStatusCode[] expected = accepted ? [HttpStatusCode.OK, HttpStatusCode.NotFound] : [HttpStatusCode.NotFound, HttpStatusCode.NoContent];
            Assert.Equal(expected, statuses);
            Assert.Equal(accepted ? 1 : 0, (await alice.GetJsonAsync("/api/social/friends")).GetArrayLength());
            Assert.Equal(0, (await bob.GetJsonAsync("/api/social/requests")).GetProperty("incoming").GetArrayLength());
            if (accepted)
            {
                Assert.Equal(HttpStatusCode.NoContent, await UserSession.StatusOfAsync(alice.DeleteAsync($"/api/social/friends/{bob.UserName}")));
            }
        }
    }

    /// <summary>Two requests sent at once; their statuses, in the order given.</summary>
    private static Task<HttpStatusCode[]> AtOnceAsync(Task<HttpResponseMessage> first, Task<HttpResponseMessage> second) =>
        Task.WhenAll(AnswerAsync(first), AnswerAsync(second));

    /// <summary>The status, after checking that a refusal comes as problem details (RFC 9457).</summary>
    private static async Task<HttpStatusCode> AnswerAsync(Task<HttpResponseMessage> pending)
    {
        using var response = await pending;
        if ((int)response.StatusCode >= 400)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        return response.StatusCode;
    }

    [Fact]
    public async Task Rejecting_and_cancelling_remove_the_request()
    {
        var (alice, bob) = await TwoUsersAsync();
        using var disposeAlice = alice;
        using var disposeBob = bob;
        var rejected = await SendRequestAsync(alice, bob);
        Assert.Equal(HttpStatusCode.NoContent, await UserSession.StatusOfAsync(bob.PostAsync($"/api/social/requests/{rejected}/reject")));
        Assert.Equal(0, (await alice.GetJsonAsync("/api/social/requests")).GetProperty("outgoing").GetArrayLength());

        var cancelled = await SendRequestAsync(alice, bob);
        Assert.Equal(HttpStatusCode.NoContent, await UserSession.StatusOfAsync(alice.DeleteAsync($"/api/social/requests/{cancelled}")));
        Assert.Equal(0, (await bob.GetJsonAsync("/api/social/requests")).GetProperty("incoming").GetArrayLength());
        Assert.Equal(0, (await alice.GetJsonAsync("/api/social/friends")).GetArrayLength());
    }

    [Fact]
    public async Task Only_the_recipient_accepts_or_rejects_and_only_the_sender_cancels()
    {
        var (alice, bob) = await TwoUsersAsync();
        using var mallory = await new UserSession(fixture, UserSession.UniqueName("mallory")).RegisterAsync();
        using var disposeAlice = alice;
        using var disposeBob = bob;
        var id = await SendRequestAsync(alice, bob);

        Assert.Equal(HttpStatusCode.NotFound, await UserSession.StatusOfAsync(mallory.PostAsync($"/api/social/requests/{id}/accept")));
        Assert.Equal(HttpStatusCode.NotFound, await UserSession.StatusOfAsync(mallory.PostAsync($"/api/social/requests/{id}/reject")));
        Assert.Equal(HttpStatusCode.NotFound, await UserSession.StatusOfAsync(mallory.DeleteAsync($"/api/social/requests/{id}")));
        Assert.Equal(HttpStatusCode.NotFound, await UserSession.StatusOfAsync(alice.PostAsync($"/api/social/requests/{id}/accept")));
        Assert.Equal(HttpStatusCode.NotFound, await UserSession.StatusOfAsync(bob.DeleteAsync($"/api/social/requests/{id}")));
        Assert.Equal(HttpStatusCode.NotFound, await UserSession.StatusOfAsync(bob.PostAsync($"/api/social/requests/{Guid.NewGuid()}/accept")));
        Assert.Equal(HttpStatusCode.NotFound, await UserSession.StatusOfAsync(bob.PostAsync("/api/social/requests/not-a-guid/accept")));

        // Nothing changed: the request is still there for bob.
        Assert.Equal(id, (await bob.GetJsonAsync("/api/social/requests")).GetProperty("incoming")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task Requests_to_yourself_unknown_users_duplicates_and_friends_are_refused()
    {
        var (alice, bob) = await TwoUsersAsync();
        using var disposeAlice = alice;
        using var disposeBob = bob;
        Assert.Equal(HttpStatusCode.BadRequest, await UserSession.StatusOfAsync(alice.PostAsync("/api/social/requests", new { username = alice.UserName.ToUpperInvariant() })));
        Assert.Equal(HttpStatusCode.NotFound, await UserSession.StatusOfAsync(alice.PostAsync("/api/social/requests", new { username = "nobody_" + Guid.NewGuid().ToString("N")[..8] })));
        Assert.Equal(HttpStatusCode.BadRequest, await UserSession.StatusOfAsync(alice.PostAsync("/api/social/requests", new { })));

        await SendRequestAsync(alice, bob);
        Assert.Equal(HttpStatusCode.Conflict, await UserSession.StatusOfAsync(alice.PostAsync("/api/social/requests", new { username = bob.UserName })));

        using var crossing = await bob.PostAsync("/api/social/requests", new { username = alice.UserName });
        Assert.Equal(HttpStatusCode.OK, crossing.StatusCode);
        Assert.True((await crossing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("friends").GetBoolean());

        Assert.Equal(HttpStatusCode.Conflict, await UserSession.StatusOfAsync(alice.PostAsync("/api/social/requests", new { username = bob.UserName })));
        Assert.Equal(HttpStatusCode.Conflict, await UserSession.StatusOfAsync(bob.PostAsync("/api/social/requests", new { username = alice.UserName })));
    }

    [Fact]
    public async Task Removing_a_friend_ends_the_friendship_for_both()
    {
        var (alice, bob) = await TwoUsersAsync();
        using var disposeAlice = alice;
        using var disposeBob = bob;
        await alice.BefriendAsync(bob);

        Assert.Equal(HttpStatusCode.NoContent, await UserSession.StatusOfAsync(bob.DeleteAsync($"/api/social/friends/{alice.UserName}")));
        Assert.Equal(0, (await alice.GetJsonAsync("/api/social/friends")).GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, await UserSession.StatusOfAsync(alice.DeleteAsync($"/api/social/friends/{bob.UserName}")));
    }

    [Fact]
    public async Task User_search_matches_prefixes_and_marks_friends_and_pending_requests()
    {
        var prefix = "srch" + Guid.NewGuid().ToString("N")[..6];
        using var me = await new UserSession(fixture, prefix + "_me").RegisterAsync();
        using var friend = await new UserSession(fixture, prefix + "_friend").RegisterAsync();
        using var pending = await new UserSession(fixture, prefix + "_pending").RegisterAsync();
        using var stranger = await new UserSession(fixture, prefix + "_stranger").RegisterAsync();
        await me.BefriendAsync(friend);
        await SendRequestAsync(pending, me);

        var results = await me.GetJsonAsync($"/api/social/users?query={prefix.ToUpperInvariant()}");
        var byName = results.EnumerateArray().ToDictionary(r => r.GetProperty("username").GetString()!);
        Assert.Equal(3, byName.Count);
        Assert.DoesNotContain(me.UserName, byName.Keys);
        Assert.True(byName[friend.UserName].GetProperty("isFriend").GetBoolean());
        Assert.True(byName[pending.UserName].GetProperty("requestPending").GetBoolean());
        Assert.False(byName[stranger.UserName].GetProperty("isFriend").GetBoolean());
        Assert.False(byName[stranger.UserName].GetProperty("requestPending").GetBoolean());

        Assert.Equal(HttpStatusCode.BadRequest, await UserSession.StatusOfAsync(me.GetAsync("/api/social/users?query=")));
        Assert.Equal(HttpStatusCode.BadRequest, await UserSession.StatusOfAsync(me.GetAsync("/api/social/users?query=%27%3B--")));
    }

    [Fact]
    public async Task User_search_returns_at_most_twenty()
    {
        var prefix = "many" + Guid.NewGuid().ToString("N")[..6];
        using var me = await new UserSession(fixture, prefix + "_me").RegisterAsync();
        await Task.WhenAll(Enumerable.Range(0, 21).Select(async i =>
        {
            using var other = await new UserSession(fixture, $"{prefix}_{i:00}").RegisterAsync();
        }));
        Assert.Equal(20, (await me.GetJsonAsync($"/api/social/users?query={prefix}")).GetArrayLength());
    }
}
