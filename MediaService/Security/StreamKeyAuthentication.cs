using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace AudioStream.MediaService.Security;

public static class StreamKeyAuthentication
{
    /// <summary>Either the browser's session cookie or a stream key: who may hang up a WHIP session.</summary>
    public const string CookieOrKeyPolicy = "cookie-or-stream-key";
    private const string CookieOrKeyScheme = "CookieOrStreamKey";

    /// <summary>Adds the Bearer stream-key scheme next to the session cookie (which stays the default).</summary>
    public static IHostApplicationBuilder AddStreamKeyAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, StreamKeyAuthenticationHandler>(StreamKeyAuthenticationHandler.SchemeName, null)
            // One scheme per request, so a refusal is answered once: by the key's scheme when a Bearer token came.
            .AddPolicyScheme(CookieOrKeyScheme, null, options => options.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? StreamKeyAuthenticationHandler.SchemeName
                    : CookieAuthenticationDefaults.AuthenticationScheme);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(StreamKeyAuthenticationHandler.Policy, policy => policy
                .AddAuthenticationSchemes(StreamKeyAuthenticationHandler.SchemeName)
                .RequireAuthenticatedUser())
            .AddPolicy(CookieOrKeyPolicy, policy => policy
                .AddAuthenticationSchemes(CookieOrKeyScheme)
                .RequireAuthenticatedUser());
        return builder;
    }
}
