namespace AudioStream.MediaService.Model;

/// <summary>
/// A named secret that lets a WHIP client (OBS, GStreamer, whip-client) go live as its owner without a browser
/// session. Only the SHA-256 of the secret is kept: the secret is 256 random bits, so a fast hash is enough.
/// </summary>
public sealed class StreamKey
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid OwnerId { get; init; }

    public required string OwnerName { get; init; }

    public required string Name { get; init; }

    public required byte[] SecretHash { get; init; }

    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.UtcNow;

    public DateTimeOffset? LastUsedAt { get; set; }
}
