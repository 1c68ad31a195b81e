namespace AudioStream.MediaService.Model;

/// <summary>A user's live session: one active per user, kept after it ends for its duration and recording link.</summary>
public sealed class LiveSession
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid OwnerId { get; init; }

    public required string OwnerName { get; init; }

    public string? Title { get; init; }

    public bool Denoise { get; init; }

    /// <summary>The stream key a WHIP client went live with; null when the page did. Revoking the key ends the stream.</summary>
    public Guid? StreamKeyId { get; init; }

    /// <summary>The media node that held it (its registry id); a node's start-up and a lost-node sweep end by it.</summary>
    public string? NodeId { get; init; }

    public DateTimeOffset StartedAt { get; init; } = DateTimeOffset.UtcNow;

    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>Why it ended: stopped, whip-deleted, consent-lapsed, key-revoked, node-lost, service-restart.</summary>
    public string? EndReason { get; set; }

    public bool IsActive => EndedAt is null;
}
