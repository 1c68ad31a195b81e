namespace AudioStream.Gateway.Extensions;

/// <summary>
/// At most <see cref="PermitLimit"/> requests per <see cref="WindowSeconds"/> from one client address: a bucket of
/// that many permits, refilled one at a time evenly over the window (a burst is allowed, a flood is paced).
/// </summary>
public sealed class RateLimitRule
{
    public int PermitLimit { get; set; }

    public int WindowSeconds { get; set; }

    /// <summary>What the limit covers, for the person who reaches it ("sign-in attempts").</summary>
    public string Description { get; set; } = "";

    public TimeSpan ReplenishmentPeriod => TimeSpan.FromSeconds((double)WindowSeconds / PermitLimit);
}
