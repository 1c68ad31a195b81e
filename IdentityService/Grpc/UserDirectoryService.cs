using AudioStream.IdentityService.Infrastructure;
using AudioStream.IdentityService.Model;
using AudioStream.ServiceDefaults.Rules;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;

namespace AudioStream.IdentityService.Grpc;

public sealed class UserDirectoryService(IdentityDbContext db) : UserDirectory.UserDirectoryBase
{
    public const int MaxSearchResults = 50;

    public override async Task<FindByNameReply> FindByName(FindByNameRequest request, ServerCallContext context)
    {
        if (!AccountRules.IsValidUserName(request.UserName))
        {
            return new FindByNameReply { Found = false };
        }
        var normalized = AccountRules.Normalize(request.UserName);
        var user = await db.Users.AsNoTracking()
            .Where(u => u.NormalizedUserName == normalized)
            .Select(u => new UserInfo { Id = u.Id.ToString(), UserName = u.UserName })
            .SingleOrDefaultAsync(context.CancellationToken);
        return user is null ? new FindByNameReply { Found = false } : new FindByNameReply { Found = true, User = user };
    }

    public override async Task<SearchReply> Search(SearchRequest request, ServerCallContext context)
    {
        var prefix = AccountRules.Normalize(request.Prefix ?? "");
        if (!UserNameRule.IsValidPrefix(prefix))
        {
            return new SearchReply();
        }
        var limit = Math.Clamp(request.Limit, 1, MaxSearchResults);
        var users = await db.Users.AsNoTracking()
            .Where(u => u.NormalizedUserName.StartsWith(prefix))
            .OrderBy(u => u.NormalizedUserName)
            .Take(limit)
            .Select(u => new UserInfo { Id = u.Id.ToString(), UserName = u.UserName })
            .ToListAsync(context.CancellationToken);
        return new SearchReply { Users = { users } };
    }
}
