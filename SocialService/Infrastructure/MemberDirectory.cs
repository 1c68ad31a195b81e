using AudioStream.IdentityService.Grpc;
using AudioStream.ServiceDefaults;
using AudioStream.ServiceDefaults.Rules;
using AudioStream.ServiceDefaults.Security;
using AudioStream.SocialService.Model;
using Microsoft.EntityFrameworkCore;

namespace AudioStream.SocialService.Infrastructure;

/// <summary>
/// Keeps <see cref="Member"/> rows for the users this service deals with. The caller is known from their
/// verified session; anyone else is looked up in IdentityService's directory, never in its database.
/// </summary>
public sealed class MemberDirectory(SocialDbContext db, UserDirectory.UserDirectoryClient directory)
{
    public async Task<Member> EnsureAsync(CurrentUser user)
    {
        var member = await db.Members.FindAsync(user.Id);
        if (member is null)
        {
            member = new Member { Id = user.Id, UserName = user.UserName, NormalizedUserName = UserNameRule.Normalize(user.UserName) };
            db.Members.Add(member);
            await SaveIgnoringDuplicateAsync(member);
        }
        return member;
    }

    public async Task<Member?> FindByNameAsync(string userName, CancellationToken cancellationToken)
    {
        var normalized = UserNameRule.Normalize(userName);
        var known = await db.Members.SingleOrDefaultAsync(m => m.NormalizedUserName == normalized, cancellationToken);
        if (known is not null)
        {
            return known;
        }
        var reply = await directory.FindByNameAsync(new FindByNameRequest { UserName = userName }, cancellationToken: cancellationToken);
        if (!reply.Found)
        {
            return null;
        }
        var member = new Member { Id = Guid.Parse(reply.User.Id), UserName = reply.User.UserName, NormalizedUserName = UserNameRule.Normalize(reply.User.UserName) };
        db.Members.Add(member);
        await SaveIgnoringDuplicateAsync(member);
        return member;
    }

    public async Task<IReadOnlyList<UserInfo>> SearchAsync(string prefix, int limit, CancellationToken cancellationToken)
    {
        var reply = await directory.SearchAsync(new SearchRequest { Prefix = prefix, Limit = limit }, cancellationToken: cancellationToken);
        return reply.Users;
    }

    /// <summary>Two first requests of one user may race to add the same member; either row is the same.</summary>
    private async Task SaveIgnoringDuplicateAsync(Member member)
    {
        try
        {
            await db.SaveChangesAsync();
        }
        catch (DbUpdateException exception) when (exception.IsUniqueViolation())
        {
            db.Entry(member).State = EntityState.Detached;
        }
    }
}
