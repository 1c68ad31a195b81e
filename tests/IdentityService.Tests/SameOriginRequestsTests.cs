using AudioStream.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http;

namespace AudioStream.IdentityService.Tests;

public sealed class SameOriginRequestsTests
{
    [Theory]
    [InlineData("POST", "https://evil.example", null)]
    [InlineData("DELETE", "https://evil.example", null)]
    [InlineData("POST", "http://audio.example:8080", null)]
    [InlineData("POST", "https://audio.example:8444", null)]
    [InlineData("POST", "null", null)]
    [InlineData("POST", null, "cross-site")]
    [InlineData("PATCH", null, "same-site")]
    [InlineData("POST", "https://audio.example:8443", "cross-site")]
    public void Cookie_carrying_unsafe_requests_from_elsewhere_are_refused(string method, string? origin, string? fetchSite)
    {
        Assert.False(SameOriginRequests.IsAllowed(Context(method, origin, fetchSite, cookie: true)));
    }

    [Theory]
    [InlineData("POST", "https://audio.example:8443", null)]
    [InlineData("POST", "https://AUDIO.example:8443", null)]
    [InlineData("PUT", null, "same-origin")]
    [InlineData("POST", null, "none")]
    [InlineData("POST", null, null)]
    [InlineData("GET", "https://evil.example", "cross-site")]
    public void Same_origin_safe_and_non_browser_requests_pass(string method, string? origin, string? fetchSite)
    {
        Assert.True(SameOriginRequests.IsAllowed(Context(method, origin, fetchSite, cookie: true)));
    }

    [Fact]
    public void Requests_without_the_session_cookie_pass_whatever_their_origin()
    {
        Assert.True(SameOriginRequests.IsAllowed(Context("POST", "https://evil.example", "cross-site", cookie: false)));
    }

    [Fact]
    public void A_cross_origin_websocket_upgrade_with_the_cookie_is_refused()
    {
        var upgrade = Context("GET", "https://evil.example", null, cookie: true);
        upgrade.Request.Headers.Upgrade = "websocket";
        Assert.False(SameOriginRequests.IsAllowed(upgrade));

        upgrade.Request.Headers.Origin = "https://audio.example:8443";
        Assert.True(SameOriginRequests.IsAllowed(upgrade));
    }

    [Fact]
    public void The_default_port_of_the_scheme_matches_an_origin_without_one()
    {
        var context = Context("POST", "https://audio.example", null, cookie: true);
        context.Request.Host = new HostString("audio.example");
        Assert.True(SameOriginRequests.IsAllowed(context));
    }

    /// <summary>A request as a service sees it after the gateway's forwarded headers: https://audio.example:8443.</summary>
    private static DefaultHttpContext Context(string method, string? origin, string? fetchSite, bool cookie)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("audio.example", 8443);
        if (origin is not null)
        {
            context.Request.Headers.Origin = origin;
        }
        if (fetchSite is not null)
        {
            context.Request.Headers["Sec-Fetch-Site"] = fetchSite;
        }
        if (cookie)
        {
            context.Request.Headers.Cookie = $"{SessionAuthentication.CookieName}=ticket";
        }
        return context;
    }
}
