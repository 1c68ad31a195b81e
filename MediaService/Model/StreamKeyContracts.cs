namespace AudioStream.MediaService.Model;

/// <param name="Name">What the key is for ("OBS at home"); 1 to 64 characters.</param>
public sealed record CreateStreamKeyRequest(string? Name);

/// <param name="Key">The secret, shown this once: the WHIP client's Bearer token.</param>
public sealed record StreamKeyCreatedResponse(Guid Id, string Name, string Key, DateTimeOffset CreatedAt);

public sealed record StreamKeyResponse(Guid Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);
