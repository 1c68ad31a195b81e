using System.Net.Mail;
using System.Text.RegularExpressions;

namespace AudioStream.IdentityService.Model;

/// <summary>What a valid account looks like (API.md: username 3–32 of [A-Za-z0-9_.-], valid email, password ≥ 8).</summary>
public static partial class AccountRules
{
    public const int MaxPasswordLength = 128;
    public const int MaxEmailLength = 254;

    [GeneratedRegex("^[A-Za-z0-9_.-]{3,32}$")]
    private static partial Regex UserNamePattern();

    public static string Normalize(string userName) => userName.ToUpperInvariant();

    public static bool IsValidUserName(string? userName) => userName is not null && UserNamePattern().IsMatch(userName);

    public static Dictionary<string, string[]> Validate(RegisterRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (!IsValidUserName(request.Username))
        {
            errors["username"] = ["Use 3 to 32 letters, digits, '_', '.' or '-'."];
        }
        if (!IsValidEmail(request.Email))
        {
            errors["email"] = ["Enter a valid email address."];
        }
        if (request.Password is null || request.Password.Length < 8)
        {
            errors["password"] = ["Use at least 8 characters."];
        }
        else if (request.Password.Length > MaxPasswordLength)
        {
            errors["password"] = [$"Use at most {MaxPasswordLength} characters."];
        }
        return errors;
    }

    public static bool IsValidEmail(string? email)
    {
        if (string.IsNullOrWhiteSpace(email) || email.Length > MaxEmailLength || email.Trim() != email)
        {
            return false;
        }
        // MailAddress accepts display-name forms ("A <a@b.c>"); require the bare address with a dotted domain.
        return MailAddress.TryCreate(email, out var address)
            && address.Address == email
            && address.Host.Contains('.', StringComparison.Ordinal)
            && !address.Host.EndsWith('.');
    }
}
