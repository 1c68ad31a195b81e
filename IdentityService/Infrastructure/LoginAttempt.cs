namespace AudioStream.IdentityService.Infrastructure;

/// <summary>What <see cref="LoginThrottle"/> decided about one counted attempt.</summary>
/// <param name="KnownAddress">The name signed in from this address before (within the known-address lifetime).</param>
public readonly record struct LoginAttempt(LoginRefusal? Refusal, TimeSpan RetryAfter, bool KnownAddress = false);
