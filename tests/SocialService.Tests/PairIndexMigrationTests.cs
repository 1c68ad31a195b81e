using AudioStream.SocialService.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace AudioStream.SocialService.Tests;

public sealed class PairIndexMigrationTests(SocialDatabase database) : IClassFixture<SocialDatabase>
{
    [Fact]
    public async Task Crossing_requests_left_by_the_old_index_become_a_friendship_when_migrating()
    {
        await using var db = database.Create(await database.CreateEmptyDatabaseAsync("social_old_index"));
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync("20261125064232_InitialCreate");
        var a = new Member { Id = Guid.NewGuid(), UserName = "ann", NormalizedUserName = "ANN" };
        var b = new Member { Id = Guid.NewGuid(), UserName = "ben", NormalizedUserName = "BEN" };
        var c = new Member { Id = Guid.NewGuid(), UserName = "cat", NormalizedUserName = "CAT" };
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO members ("Id", "UserName", "NormalizedUserName") VALUES ({a.Id}, 'ann', 'ANN'), ({b.Id}, 'ben', 'BEN'), ({c.Id}, 'cat', 'CAT');
            INSERT INTO friend_requests ("Id", "SenderId", "RecipientId", "CreatedAt")
            VALUES ({Guid.NewGuid()}, {a.Id}, {b.Id}, now()), ({Guid.NewGuid()}, {b.Id}, {a.Id}, now()), ({Guid.NewGuid()}, {a.Id}, {c.Id}, now());
            """);

        await migrator.MigrateAsync();

        Assert.Equal(2, await db.Friendships.CountAsync(f => (f.UserId == a.Id && f.FriendId == b.Id) || (f.UserId == b.Id && f.FriendId == a.Id)));
        var left = Assert.Single(await db.FriendRequests.AsNoTracking().ToListAsync());
        Assert.Equal((a.Id, c.Id), (left.SenderId, left.RecipientId));
    }
}
