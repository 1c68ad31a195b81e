using System.Security.Claims;

namespace AudioStream.ServiceDefaults.Security;

/// <summary>The signed-in user as every service reads it from the validated session cookie.</summary>
public sealed record CurrentUser(Guid Id, string UserName, string SessionId)
{
    public const string SessionIdClaim = "sid";

    public static CurrentUser From(ClaimsPrincipal principal) =>
        TryFrom(principal) ?? throw new InvalidOperationException("The request has no authenticated user.");

    public static CurrentUser? TryFrom(ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id)
        && principal.FindFirstValue(ClaimTypes.Name) is { } name
        && principal.FindFirstValue(SessionIdClaim) is { } sessionId
            ? new CurrentUser(id, name, sessionId)
            : null;

    public ClaimsPrincipal ToPrincipal(string scheme) => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.NameIdentifier, Id.ToString()),
        new Claim(ClaimTypes.Name, UserName),
        new Claim(SessionIdClaim, SessionId),
    ], scheme));
}
