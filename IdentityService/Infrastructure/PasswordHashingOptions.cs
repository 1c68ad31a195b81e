namespace AudioStream.IdentityService.Infrastructure;

/// <summary>Configuration section <c>Identity:PasswordHashing</c>.</summary>
public sealed class PasswordHashingOptions
{
    public const string SectionName = "Identity:PasswordHashing";

    /// <summary>Hashes computed at once; 0 = one per core (PBKDF2 is pure CPU: more only adds switching).</summary>
    public int MaxConcurrent { get; set; }

    /// <summary>Requests waiting for a hashing slot, oldest first; 0 = 16 per slot (~1.5 s of work at 100 ms a hash).</summary>
    public int QueueLimit { get; set; }
}
