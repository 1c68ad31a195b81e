using AudioStream.ServiceDefaults.Security;
using Microsoft.AspNetCore.Authentication;

namespace AudioStream.Gateway.Extensions;

/// <summary>
/// The web pages are plain files in wwwroot. Pages for signed-in users check the session cookie here (the gateway
/// validates it like every service) and send everyone else to /login.
/// </summary>
internal static class PageEndpoints
{
    public static WebApplication MapPages(this WebApplication app)
    {
        app.UseStaticFiles();
        MapPage(app, "/login", "login.html", signedIn: false);
        MapPage(app, "/register", "register.html", signedIn: false);
        MapPage(app, "/", "index.html", signedIn: true);
        MapPage(app, "/user/{username}", "user.html", signedIn: true);
        return app;
    }

    private static void MapPage(WebApplication app, string path, string file, bool signedIn) =>
        app.MapGet(path, async (HttpContext context, IWebHostEnvironment environment) =>
            {
                var result = await context.AuthenticateAsync();
                var hasSession = result.Succeeded && CurrentUser.TryFrom(result.Principal) is not null;
                if (signedIn && !hasSession)
                {
                    var returnUrl = Uri.EscapeDataString(context.Request.Path + context.Request.QueryString);
                    return Results.Redirect($"/login?returnUrl={returnUrl}");
                }
                context.Response.Headers.CacheControl = "no-store";
                return Results.File(Path.Combine(environment.WebRootPath, file), "text/html; charset=utf-8");
            })
            .ExcludeFromDescription();
}
