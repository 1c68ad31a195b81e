using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AudioStream.ServiceDefaults.Security;

/// <summary>
/// Cross-site request forgery: a page on another site can make the browser send our session cookie with a POST
/// (SameSite=Lax allows top-level form posts) or open a WebSocket. Every cookie-carrying unsafe request and every
/// cookie-carrying WebSocket upgrade must therefore come from our own origin, as the browser states it in
/// <c>Sec-Fetch-Site</c> or <c>Origin</c>. The rule follows Go's <c>http.CrossOriginProtection</c>: a request with
/// neither header is not from a browser (curl, a service), so it cannot be forged by one and passes. Requests
/// without the cookie (WHIP with a Bearer key, service tokens, login) carry no ambient authority and pass too.
/// Runs after the gateway's forwarded headers, so the host and scheme compared are the ones the browser used.
/// </summary>
public static class SameOriginRequests
{
    public const string RefusedTitle = "Cross-origin request refused: unsafe requests with a session cookie must come from this site.";

    public static WebApplication UseSameOriginRequests(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (IsAllowed(context))
            {
                await next(context);
                return;
            }
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = { Status = StatusCodes.Status403Forbidden, Title = RefusedTitle },
            });
        });
        return app;
    }

    public static bool IsAllowed(HttpContext context)
    {
        var request = context.Request;
        if (!request.Cookies.ContainsKey(SessionAuthentication.CookieName) || !(IsUnsafe(request.Method) || IsWebSocketUpgrade(context)))
        {
            return true;
        }
        if (request.Headers["Sec-Fetch-Site"] is [{ } site, ..])
        {
            return site is "same-origin" or "none";
        }
        if (request.Headers.Origin is [{ } origin, ..])
        {
            return IsSameOrigin(origin, request);
        }
        return true;
    }

    private static bool IsUnsafe(string method) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method));

    private static bool IsWebSocketUpgrade(HttpContext context) =>
        string.Equals(context.Request.Headers.Upgrade, "websocket", StringComparison.OrdinalIgnoreCase)
        || context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true;

    /// <summary>RFC 6454 §5: same scheme, host and port; an absent port is the scheme's default.</summary>
    public static bool IsSameOrigin(string origin, HttpRequest request)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var stated) || !request.Host.HasValue)
        {
            return false;
        }
        var port = request.Host.Port ?? (request.IsHttps ? 443 : 80);
        return string.Equals(stated.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(stated.IdnHost, request.Host.Host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase)
            && stated.Port == port;
    }
}
