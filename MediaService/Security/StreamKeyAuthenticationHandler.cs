using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using AudioStream.MediaService.Infrastructure;
using AudioStream.ServiceDefaults.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AudioStream.MediaService.Security;

/// <summary>
/// <c>Authorization: Bearer &lt;stream key&gt;</c> (RFC 6750), how WHIP clients authenticate (RFC 9725 §4.5). The caller
/// becomes the key's owner, with the key's id as session id. A missing, wrong or revoked key gets 401 with
/// <c>WWW-Authenticate: Bearer</c>. The secret itself is never logged.
/// </summary>
public sealed class StreamKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    MediaDbContext db,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "StreamKey";
    public const string Policy = "stream-key";
    public const string KeyIdClaim = "stream_key";
    private const string Bearer = "Bearer ";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var hash = StreamKeySecret.Hash(header.AsSpan(Bearer.Length).Trim());
        var key = hash is null ? null : await db.StreamKeys.AsNoTracking().SingleOrDefaultAsync(k => k.SecretHash == hash, Context.RequestAborted);
        // The lookup is by hash; comparing the hashes again in constant time keeps timing out of the answer either way.
        if (key is null || !CryptographicOperations.FixedTimeEquals(key.SecretHash, hash))
        {
            return AuthenticateResult.Fail("Unknown or revoked stream key.");
        }

        await db.StreamKeys.Where(k => k.Id == key.Id)
            .ExecuteUpdateAsync(update => update.SetProperty(k => k.LastUsedAt, time.GetUtcNow()), Context.RequestAborted);
        var principal = new CurrentUser(key.OwnerId, key.OwnerName, $"streamkey:{key.Id}").ToPrincipal(SchemeName);
        ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(KeyIdClaim, key.Id.ToString()));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = result.Failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        await Context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = result.Failure is null
                    ? "Send a stream key as Authorization: Bearer <key> (create one on your profile page)."
                    : "The stream key is wrong or was revoked.",
            },
        });
    }

    public static Guid? KeyId(ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(KeyIdClaim), out var id) ? id : null;
}
