namespace AudioStream.IdentityService.Infrastructure;

public enum LoginRefusal
{
    /// <summary>Too many attempts on this name from this client address.</summary>
    LockedForThisAddress,

    /// <summary>The name is under attack from many addresses; this (unknown) address waits its turn.</summary>
    Paced,
}
