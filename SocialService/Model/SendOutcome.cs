namespace AudioStream.SocialService.Model;

/// <summary>What asking someone to be friends came to.</summary>
public enum SendOutcome
{
    /// <summary>A new pending request.</summary>
    Requested,

    /// <summary>They had asked you (or asked at the same moment): asking back accepted their request.</summary>
    BecameFriends,

    AlreadyFriends,

    AlreadyAsked,

    /// <summary>Their request was accepted or withdrawn while yours was being decided, again and again.</summary>
    Contended,
}
