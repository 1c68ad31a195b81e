using System.Diagnostics.CodeAnalysis;
using System.Net.Mail;
using AudioStream.ServiceDefaults.Rules;

namespace AudioStream.IdentityService.Model;

/// <summary>What a valid account looks like (API.md: username 3–32 of [A-Za-z0-9_.-], valid email, password ≥ 8).</summary>
public static class AccountRules
{
    public const int MaxPasswordLength = 128;
    public const int MaxEmailLength = 254;

    public static string Normalize(string userName) => UserNameRule.Normalize(userName);

    public static bool IsValidUserName([NotNullWhen(true)] string? userName) => UserNameRule.IsValid(userName);

    public static Dictionary<string, string[]> Validate(RegisterRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (!IsValidUserName(request.Username))
        {
            errors["username"] = [$"Use {UserNameRule.MinLength} to {UserNameRule.MaxLength} {UserNameRule.AllowedCharacters}."];
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
