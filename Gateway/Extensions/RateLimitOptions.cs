namespace AudioStream.Gateway.Extensions;

/// <summary>
/// Configuration section <c>Gateway:RateLimits</c>: per-client-address limits on the requests that cost the most or
/// reach other people. The defaults let a household behind one NAT sign in, register and go live as people do, and
/// pace a script to a trickle; the hashing itself is also capped in IdentityService.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "Gateway:RateLimits";

    /// <summary>Each PBKDF2 verification costs ~50 ms of a core; 20 a minute is a family mistyping all evening.</summary>
    public RateLimitRule Login { get; set; } = new() { PermitLimit = 20, WindowSeconds = 60, Description = "sign-in attempts" };

    public RateLimitRule Register { get; set; } = new() { PermitLimit = 20, WindowSeconds = 3600, Description = "registrations" };

    public RateLimitRule FriendRequests { get; set; } = new() { PermitLimit = 60, WindowSeconds = 3600, Description = "friend requests" };

    /// <summary>Going live (the page's button, and WHIP publishing with a stream key).</summary>
    public RateLimitRule StreamStart { get; set; } = new() { PermitLimit = 60, WindowSeconds = 3600, Description = "stream starts" };
}
