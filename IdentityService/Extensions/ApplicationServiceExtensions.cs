using AudioStream.IdentityService.Infrastructure;
using AudioStream.IdentityService.Model;
using AudioStream.ServiceDefaults.Security;
using Microsoft.AspNetCore.Identity;

namespace AudioStream.IdentityService.Extensions;

internal static class ApplicationServiceExtensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<IdentityDbContext>("identitydb");
        builder.AddSessionAuthentication();
        builder.Services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        builder.Services.AddSingleton<LoginThrottle>();
        builder.Services.Configure<PasswordHashingOptions>(builder.Configuration.GetSection(PasswordHashingOptions.SectionName));
        builder.Services.AddSingleton<PasswordHashingGate>();
        builder.Services.AddGrpc();
    }
}
