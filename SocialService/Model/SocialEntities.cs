namespace AudioStream.SocialService.Model;

/// <summary>
/// A user as the social graph knows them. Identity owns accounts; this service keeps the id and name it needs
/// for search and requests, learned from the caller's own verified session.
/// </summary>
public sealed class Member
{
    public Guid Id { get; init; }

    public required string UserName { get; set; }

    public required string NormalizedUserName { get; set; }
}

public sealed class FriendRequest
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid SenderId { get; init; }

    public Member Sender { get; init; } = null!;

    public Guid RecipientId { get; init; }

    public Member Recipient { get; init; } = null!;

    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.UtcNow;
}

/// <summary>One row per direction, so "friends of X" is a single indexed look-up.</summary>
public sealed class Friendship
{
    public Guid UserId { get; init; }

    public Guid FriendId { get; init; }

    public Member Friend { get; init; } = null!;

    public DateTimeOffset Since { get; init; } = DateTimeOffset.UtcNow;
}
