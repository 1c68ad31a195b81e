using AudioStream.SocialService.Infrastructure;
using AudioStream.SocialService.Model;
using Microsoft.EntityFrameworkCore;

namespace AudioStream.SocialService.Tests;

/// <summary>
/// Two requests of the same people at the same moment, each on its own connection to a real PostgreSQL, many rounds
/// so the race window is hit: the database ends in one consistent state and neither side fails.
/// </summary>
public sealed class FriendGraphRaceTests(SocialDatabase database) : IClassFixture<SocialDatabase>
{
    private const int Rounds = 25;

    [Fact]
    public async Task Crossing_requests_end_in_one_friendship_and_no_pending_request()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var (a, b) = await database.TwoMembersAsync();

            var outcomes = await RaceAsync(
                graph => graph.RequestAsync(a, b, CancellationToken.None),
                graph => graph.RequestAsync(b, a, CancellationToken.None));

            Assert.Equal([SendOutcome.Requested, SendOutcome.BecameFriends], outcomes.Select(o => o.Outcome).Order());
            await using var db = database.CreateContext();
            Assert.Equal(0, await db.FriendRequests.CountAsync(r => r.SenderId == a || r.SenderId == b));
            Assert.Equal(2, await db.Friendships.CountAsync(f => (f.UserId == a && f.FriendId == b) || (f.UserId == b && f.FriendId == a)));
        }
    }

    [Fact]
    public async Task A_double_accept_befriends_once_and_tells_the_second_the_request_is_gone()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var (sender, recipient) = await database.TwoMembersAsync();
            var request = await RequestAsync(sender, recipient);

            var accepted = await RaceAsync(
                graph => graph.AcceptAsync(request.Id, recipient, CancellationToken.None),
                graph => graph.AcceptAsync(request.Id, recipient, CancellationToken.None));

            Assert.Single(accepted, r => r is not null);
            Assert.Equal(2, await FriendshipRowsAsync(sender, recipient));
        }
    }

    [Fact]
    public async Task Accept_racing_a_withdrawal_lets_exactly_one_of_them_happen()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var (sender, recipient) = await database.TwoMembersAsync();
            var request = await RequestAsync(sender, recipient);

            var (accepted, withdrawn) = await RaceAsync(
                graph => graph.AcceptAsync(request.Id, recipient, CancellationToken.None),
                graph => graph.DeleteAsync(r => r.Id == request.Id && r.SenderId == sender, CancellationToken.None)) switch
            {
                [var first, var second] => (first, second),
                _ => throw new InvalidOperationException(),
            };

            Assert.True(accepted is null != (withdrawn is null), "exactly one of accept and withdraw takes the request");
            Assert.Equal(accepted is null ? 0 : 2, await FriendshipRowsAsync(sender, recipient));
            await using var db = database.CreateContext();
            Assert.False(await db.FriendRequests.AnyAsync(r => r.Id == request.Id));
        }
    }

    [Fact]
    public async Task A_double_unfriend_ends_the_friendship_once()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var (a, b) = await database.TwoMembersAsync();
            var request = await RequestAsync(a, b);
            await using (var db = database.CreateContext())
            {
                Assert.NotNull(await new FriendGraph(db).AcceptAsync(request.Id, b, CancellationToken.None));
            }
            var bName = await NormalizedNameAsync(b);

            var removed = await RaceAsync(
                graph => graph.UnfriendAsync(a, bName, CancellationToken.None),
                graph => graph.UnfriendAsync(a, bName, CancellationToken.None));

            Assert.Single(removed, id => id == b);
            Assert.Equal(0, await FriendshipRowsAsync(a, b));
        }
    }

    [Fact]
    public async Task Asking_twice_keeps_one_request_and_asking_a_friend_is_refused()
    {
        var (a, b) = await database.TwoMembersAsync();
        var request = await RequestAsync(a, b);
        await using var db = database.CreateContext();
        var graph = new FriendGraph(db);

        Assert.Equal(SendOutcome.AlreadyAsked, (await graph.RequestAsync(a, b, CancellationToken.None)).Outcome);
        Assert.Equal(SendOutcome.BecameFriends, (await graph.RequestAsync(b, a, CancellationToken.None)).Outcome);
        Assert.Equal(SendOutcome.AlreadyFriends, (await graph.RequestAsync(a, b, CancellationToken.None)).Outcome);
        Assert.False(await db.FriendRequests.AnyAsync(r => r.Id == request.Id));
    }

    private async Task<FriendRequest> RequestAsync(Guid sender, Guid recipient)
    {
        await using var db = database.CreateContext();
        var result = await new FriendGraph(db).RequestAsync(sender, recipient, CancellationToken.None);
        Assert.Equal(SendOutcome.Requested, result.Outcome);
        return result.Request!;
    }

    private async Task<int> FriendshipRowsAsync(Guid a, Guid b)
    {
        await using var db = database.CreateContext();
        return await db.Friendships.CountAsync(f => (f.UserId == a && f.FriendId == b) || (f.UserId == b && f.FriendId == a));
    }

    private async Task<string> NormalizedNameAsync(Guid id)
    {
        await using var db = database.CreateContext();
        return await db.Members.Where(m => m.Id == id).Select(m => m.NormalizedUserName).SingleAsync();
    }

    /// <summary>Each side on its own context with its connection already open, released at the same moment.</summary>
    private async Task<T[]> RaceAsync<T>(params Func<FriendGraph, Task<T>>[] sides)
    {
        var contexts = sides.Select(_ => database.CreateContext()).ToArray();
        try
        {
            foreach (var context in contexts)
            {
                await context.Database.OpenConnectionAsync();
            }
            return await Concurrently.RunAsync(sides.Select((side, i) => (Func<Task<T>>)(() => side(new FriendGraph(contexts[i])))).ToArray());
        }
        finally
        {
            foreach (var context in contexts)
            {
                await context.DisposeAsync();
            }
        }
    }
}
