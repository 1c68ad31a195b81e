using AudioStream.ServiceDefaults.Rules;

namespace AudioStream.SocialService.Tests;

/// <summary>The user-name rule as search and friend requests read it (ServiceDefaults holds the one copy).</summary>
public sealed class UserNameRuleTests
{
    [Theory]
    [InlineData("bob", true)]
    [InlineData("Alice_01.x-y", true)]
    [InlineData("ab", false)]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456", false)]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345", true)]
    [InlineData("bob smith", false)]
    [InlineData("bob\n", false)]
    [InlineData("bøb", false)]
    [InlineData(null, false)]
    public void A_user_name_is_3_to_32_allowed_characters(string? userName, bool valid) =>
        Assert.Equal(valid, UserNameRule.IsValid(userName));

    [Theory]
    [InlineData("b", true)]
    [InlineData("", false)]
    [InlineData("b%", false)]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456", false)]
    public void A_search_is_1_to_32_allowed_characters(string prefix, bool valid) =>
        Assert.Equal(valid, UserNameRule.IsValidPrefix(prefix));

    [Fact]
    public void Names_differing_only_in_case_normalize_alike() =>
        Assert.Equal(UserNameRule.Normalize("Alice"), UserNameRule.Normalize("aLICE"));
}
