namespace AudioStream.SocialService.Model;

/// <param name="Request">The new pending request when <paramref name="Outcome"/> is <see cref="SendOutcome.Requested"/>.</param>
public sealed record SendResult(SendOutcome Outcome, FriendRequest? Request = null);
