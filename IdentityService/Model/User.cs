namespace AudioStream.IdentityService.Model;

public sealed class User
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public required string UserName { get; init; }

    /// <summary>Upper-invariant copy of <see cref="UserName"/>: uniqueness and look-ups ignore case.</summary>
    public required string NormalizedUserName { get; init; }

    public required string Email { get; init; }

    public required string PasswordHash { get; set; }

    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.UtcNow;
}
