namespace AudioStream.SocialService.Model;

public sealed record UserSearchResult(string Username, bool IsFriend, bool RequestPending);

public sealed record FriendResponse(string Username, DateTimeOffset Since);

public sealed record FriendRequestResponse(Guid Id, string Username, DateTimeOffset CreatedAt);

public sealed record FriendRequestsResponse(IReadOnlyList<FriendRequestResponse> Incoming, IReadOnlyList<FriendRequestResponse> Outgoing);

public sealed record SendFriendRequest(string? Username);

public sealed record FriendsResponse(bool Friends);
