using System.Net;
using AudioStream.Gateway.Extensions;
using AudioStream.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http;

namespace AudioStream.Gateway.Tests;

public sealed class RateLimitsTests
{
    [Theory]
    [InlineData("POST", "/api/identity/login", "login")]
    [InlineData("post", "/API/Identity/Login/", "login")]
    [InlineData("POST", "/api/identity/register", "register")]
    [InlineData("POST", "/api/social/requests", "friend-requests")]
    [InlineData("POST", "/api/media/streams", "stream-start")]
    [InlineData("POST", "/api/media/whip", "stream-start")]
    public void Costly_requests_are_counted_by_their_rule(string method, string path, string rule)
    {
        Assert.Equal(rule, RateLimits.Match(Request(method, path), new RateLimitOptions())?.Rule);
    }

    [Theory]
    [InlineData("GET", "/api/identity/login")]
    [InlineData("POST", "/api/identity/logout")]
    [InlineData("POST", "/api/social/requests/5f0c/accept")]
    [InlineData("POST", "/api/media/whip/5f0c")]
    [InlineData("GET", "/api/media/streams")]
    public void Other_requests_are_not_limited(string method, string path)
    {
        Assert.Null(RateLimits.Match(Request(method, path), new RateLimitOptions()));
    }

    [Fact]
    public void A_rule_refills_one_permit_at_a_time_over_its_window()
    {
        var login = new RateLimitOptions().Login;
        Assert.Equal(TimeSpan.FromSeconds(login.WindowSeconds) / login.PermitLimit, login.ReplenishmentPeriod);
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("::1", "::1")]
    public void Clients_are_counted_per_IPv4_address_and_per_IPv6_64_network(string address, string partition)
    {
        Assert.Equal(partition, ClientAddress.PartitionKey(IPAddress.Parse(address)));
    }

    private static HttpRequest Request(string method, string path)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        return context.Request;
    }
}
