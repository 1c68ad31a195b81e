using System.Globalization;
using System.Threading.RateLimiting;
using AudioStream.ServiceDefaults.Security;
using Microsoft.AspNetCore.RateLimiting;

namespace AudioStream.Gateway.Extensions;

/// <summary>
/// Per-client-address limits (<see cref="RateLimitOptions"/>) on register, login, friend requests and going live,
/// at the gateway: the one place that sees each client's own address, and before any service spends work. A limit
/// reached answers 429 with <c>Retry-After</c> and problem details naming the limit (API.md).
/// </summary>
internal static class RateLimits
{
    /// <summary>The limited requests: method, exact path (a trailing slash allowed), and the rule that counts them.</summary>
    private static readonly (string Method, PathString Path, string Rule, Func<RateLimitOptions, RateLimitRule> Select)[] Limited =
    [
        (HttpMethods.Post, "/api/identity/login", "login", options => options.Login),
        (HttpMethods.Post, "/api/identity/register", "register", options => options.Register),
        (HttpMethods.Post, "/api/social/requests", "friend-requests", options => options.FriendRequests),
        (HttpMethods.Post, "/api/media/streams", "stream-start", options => options.StreamStart),
        (HttpMethods.Post, "/api/media/whip", "stream-start", options => options.StreamStart),
    ];

    public static void AddRateLimits(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(RateLimitOptions.SectionName).Get<RateLimitOptions>() ?? new RateLimitOptions();
        foreach (var (_, _, rule, select) in Limited)
        {
            if (select(options) is { PermitLimit: <= 0 } or { WindowSeconds: <= 0 })
            {
                throw new InvalidOperationException($"{RateLimitOptions.SectionName}: the '{rule}' limit needs a PermitLimit and WindowSeconds above 0.");
            }
        }
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                Match(context.Request, options) is { } match
                    ? RateLimitPartition.GetTokenBucketLimiter(
                        $"{match.Rule}|{ClientAddress.PartitionKey(context.Connection.RemoteIpAddress)}",
                        _ => BucketFor(match.Limit))
                    : RateLimitPartition.GetNoLimiter(""));
            limiter.OnRejected = (rejected, cancellationToken) => WriteRejectionAsync(rejected, options, cancellationToken);
        });
    }

    public static (string Rule, RateLimitRule Limit)? Match(HttpRequest request, RateLimitOptions options)
    {
        var path = request.Path.Value is { Length: > 1 } value && value.EndsWith('/') ? new PathString(value[..^1]) : request.Path;
        foreach (var (method, limitedPath, rule, select) in Limited)
        {
            if (string.Equals(request.Method, method, StringComparison.OrdinalIgnoreCase)
                && path.Equals(limitedPath, StringComparison.OrdinalIgnoreCase))
            {
                return (rule, select(options));
            }
        }
        return null;
    }

    private static TokenBucketRateLimiterOptions BucketFor(RateLimitRule rule) => new()
    {
        TokenLimit = rule.PermitLimit,
        TokensPerPeriod = 1,
        ReplenishmentPeriod = rule.ReplenishmentPeriod,
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    private static async ValueTask WriteRejectionAsync(OnRejectedContext rejected, RateLimitOptions options, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var (rule, limit) = Match(context.Request, options) ?? ("unknown", new RateLimitRule());
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = $"Too many {limit.Description} from your network: at most {limit.PermitLimit} per {FormatWindow(limit.WindowSeconds)}. Try again in {seconds} s.",
                Extensions = { ["limit"] = rule, ["retryAfterSeconds"] = seconds },
            },
        });
    }

    private static string FormatWindow(int seconds) => seconds switch
    {
        3600 => "hour",
        60 => "minute",
        _ when seconds % 3600 == 0 => $"{seconds / 3600} hours",
        _ when seconds % 60 == 0 => $"{seconds / 60} minutes",
        _ => $"{seconds} s",
    };
}
