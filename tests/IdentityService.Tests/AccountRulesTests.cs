using AudioStream.IdentityService.Model;

namespace AudioStream.IdentityService.Tests;

public sealed class AccountRulesTests
{
    [Theory]
    [InlineData("abc", true)]
    [InlineData("A.b-c_9", true)]
    [InlineData("exactly_thirty_two_characters_xx", true)]
    [InlineData("ab", false)]
    [InlineData("thirty_three_characters_is_too_lo", false)]
    [InlineData("has space", false)]
    [InlineData("emoji🙂", false)]
    [InlineData("semi;colon", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Usernames_are_3_to_32_of_the_allowed_characters(string? userName, bool valid) =>
        Assert.Equal(valid, AccountRules.IsValidUserName(userName));

    [Theory]
    [InlineData("a@example.com", true)]
    [InlineData("first.last+tag@sub.example.org", true)]
    [InlineData("no-at-sign", false)]
    [InlineData("a@localhost", false)]
    [InlineData("Name <a@example.com>", false)]
    [InlineData(" a@example.com", false)]
    [InlineData("a@example.", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Email_must_be_a_bare_address_with_a_dotted_domain(string? email, bool valid) =>
        Assert.Equal(valid, AccountRules.IsValidEmail(email));

    [Fact]
    public void Every_invalid_field_is_reported_at_once()
    {
        var errors = AccountRules.Validate(new RegisterRequest("x", "nope", "short"));
        Assert.Equal(["email", "password", "username"], errors.Keys.Order().ToArray());
    }

    [Fact]
    public void Passwords_longer_than_the_limit_are_refused()
    {
        var errors = AccountRules.Validate(new RegisterRequest("valid_name", "a@example.com", new string('p', AccountRules.MaxPasswordLength + 1)));
        Assert.Equal(["password"], errors.Keys.ToArray());
    }

    [Fact]
    public void A_valid_account_has_no_errors() =>
        Assert.Empty(AccountRules.Validate(new RegisterRequest("valid_name", "a@example.com", "long enough")));

    [Fact]
    public void Normalisation_ignores_case() =>
        Assert.Equal(AccountRules.Normalize("Alice"), AccountRules.Normalize("aLICE"));
}
