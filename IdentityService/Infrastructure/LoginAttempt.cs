namespace AudioStream.IdentityService.Infrastructure;

/// <summary>What <see cref="LoginThrottle"/> decided about one counted attempt.</summary>
public readonly record struct LoginAttempt(LoginRefusal? Refusal, TimeSpan RetryAfter)
{
    public static LoginAttempt Verify { get; } = new(null, TimeSpan.Zero);
}
