using System.Diagnostics.CodeAnalysis;

namespace AudioStream.ServiceDefaults.Rules;

/// <summary>
/// What a user name is (API.md: 3 to 32 of <c>[A-Za-z0-9_.-]</c>, compared without case), for every service that
/// reads one: IdentityService registers names, the others look them up or search by prefix.
/// </summary>
public static class UserNameRule
{
    public const int MinLength = 3;
    public const int MaxLength = 32;
    public const string AllowedCharacters = "letters, digits, '_', '.' or '-'";

    public static bool IsValid([NotNullWhen(true)] string? userName) =>
        userName is { Length: >= MinLength and <= MaxLength } && HasOnlyAllowedCharacters(userName);

    /// <summary>Something a user name may start with (a search, a name in a link): 1 to 32 allowed characters.</summary>
    public static bool IsValidPrefix([NotNullWhen(true)] string? prefix) =>
        prefix is { Length: > 0 and <= MaxLength } && HasOnlyAllowedCharacters(prefix);

    /// <summary>The form names are stored and compared in: two names differing only in case are one name.</summary>
    public static string Normalize(string userName) => userName.ToUpperInvariant();

    private static bool HasOnlyAllowedCharacters(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
            {
                return false;
            }
        }
        return true;
    }
}
