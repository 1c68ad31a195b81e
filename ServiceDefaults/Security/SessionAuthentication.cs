using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace AudioStream.ServiceDefaults.Security;

/// <summary>
/// Every service validates the session cookie itself. The cookie is a Data Protection ticket; the keys live in
/// Redis under one application name, so any service can read a cookie that IdentityService wrote. The ticket's
/// session id must also still exist in <see cref="SessionStore"/>, which is what makes logout global.
/// </summary>
public static class SessionAuthentication
{
    public const string CookieName = "audiostream_session";
    public const string ServicePolicy = "service";
    private const string ApplicationName = "AudioStream";
    private static readonly RedisKey KeyRingKey = "audiostream:dataprotection:keys";

    public static TBuilder AddSessionAuthentication<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddRedisClient("redis");
        builder.Services.AddDataProtection().SetApplicationName(ApplicationName);
        builder.Services.AddOptions<KeyManagementOptions>().Configure<IConnectionMultiplexer>((options, redis) =>
            options.XmlRepository = new RedisXmlRepository(() => redis.GetDatabase(), KeyRingKey));

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SessionStore>();
        builder.Services.AddSingleton<ServiceTokenIssuer>();

        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.Cookie.Name = CookieName;
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.Cookie.Path = "/";
                options.ExpireTimeSpan = SessionStore.Lifetime;
                options.SlidingExpiration = false;
                options.Events = new CookieAuthenticationEvents
                {
                    OnValidatePrincipal = ValidateSessionAsync,
                    // An API answers 401/403 with problem details; only the gateway's pages redirect to /login.
                    OnRedirectToLogin = context => WriteProblemAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Sign in first."),
                    OnRedirectToAccessDenied = context => WriteProblemAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Not allowed."),
                };
            })
            .AddScheme<AuthenticationSchemeOptions, ServiceTokenAuthenticationHandler>(ServiceTokenAuthenticationHandler.SchemeName, null);

        builder.Services.AddAuthorizationBuilder()
            .SetDefaultPolicy(new AuthorizationPolicyBuilder(CookieAuthenticationDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser()
                .RequireClaim(CurrentUser.SessionIdClaim)
                .Build())
            .AddPolicy(ServicePolicy, policy => policy
                .AddAuthenticationSchemes(ServiceTokenAuthenticationHandler.SchemeName)
                .RequireClaim(ServiceTokenAuthenticationHandler.ServiceNameClaim));

        return builder;
    }

    /// <summary>Signs the user in with a fresh server-side session; returns the session id.</summary>
    public static async Task<string> SignInAsync(this HttpContext context, Guid userId, string userName)
    {
        var sessionId = await context.RequestServices.GetRequiredService<SessionStore>().CreateAsync(userId);
        var user = new CurrentUser(userId, userName, sessionId);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
            user.ToPrincipal(CookieAuthenticationDefaults.AuthenticationScheme),
            new AuthenticationProperties { IsPersistent = true });
        return sessionId;
    }

    public static async Task SignOutEverywhereAsync(this HttpContext context, CurrentUser user)
    {
        await context.RequestServices.GetRequiredService<SessionStore>().RevokeAsync(user.Id, user.SessionId);
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }

    public static CurrentUser GetCurrentUser(this ClaimsPrincipal principal) => CurrentUser.From(principal);

    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        var user = context.Principal is null ? null : CurrentUser.TryFrom(context.Principal);
        var sessions = context.HttpContext.RequestServices.GetRequiredService<SessionStore>();
        if (user is null || !await sessions.IsActiveAsync(user.SessionId, user.Id))
        {
            context.RejectPrincipal();
        }
    }

    private static async Task WriteProblemAsync(HttpContext context, int status, string title)
    {
        context.Response.StatusCode = status;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title },
        });
    }
}
