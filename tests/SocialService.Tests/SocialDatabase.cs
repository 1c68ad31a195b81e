using AudioStream.SocialService.Infrastructure;
using AudioStream.SocialService.Model;
using AudioStream.Testing;

namespace AudioStream.SocialService.Tests;

/// <summary>A throwaway PostgreSQL with the social schema migrated in, shared by one test class.</summary>
public sealed class SocialDatabase() : ThrowawayDatabase<SocialDbContext>("socialdb", options => new SocialDbContext(options))
{
    /// <summary>Two new members, as if each had signed in once.</summary>
    public async Task<(Guid A, Guid B)> TwoMembersAsync()
    {
        await using var db = CreateContext();
        var a = NewMember();
        var b = NewMember();
        db.Members.AddRange(a, b);
        await db.SaveChangesAsync();
        return (a.Id, b.Id);
    }

    private static Member NewMember()
    {
        var name = "u" + Guid.NewGuid().ToString("N")[..16];
        return new Member { Id = Guid.NewGuid(), UserName = name, NormalizedUserName = name.ToUpperInvariant() };
    }
}
