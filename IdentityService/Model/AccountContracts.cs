namespace AudioStream.IdentityService.Model;

public sealed record RegisterRequest(string? Username, string? Email, string? Password);

public sealed record LoginRequest(string? Username, string? Password);

public sealed record UserResponse(Guid Id, string Username);

public sealed record MeResponse(Guid Id, string Username, string Email, DateTimeOffset CreatedAt);
