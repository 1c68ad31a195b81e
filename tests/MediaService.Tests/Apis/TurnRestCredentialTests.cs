using AudioStream.MediaService.Apis;

namespace AudioStream.MediaService.Tests.Apis;

public sealed class TurnRestCredentialTests
{
    /// <summary>
    /// The draft's example username (draft-uberti-behave-turn-rest-00 §2.2, "12334939:mbzrxpgjys") signed with the
    /// secret "north"; the expected password is what coturn's documented recipe gives:
    /// <c>echo -n 12334939:mbzrxpgjys | openssl dgst -binary -sha1 -hmac north | openssl base64</c>.
    /// </summary>
    [Fact]
    public void The_draft_example_username_signs_to_the_openssl_hmac_sha1()
    {
        var credential = TurnRestCredential.Sign("north", "12334939:mbzrxpgjys");

        Assert.Equal("12334939:mbzrxpgjys", credential.Username);
        Assert.Equal("Iq7YXkRon8YXJfdN1Ke9EZOw1UE=", credential.Password);
    }

    [Fact]
    public void A_credential_names_its_expiry_in_unix_seconds_and_the_user()
    {
        var credential = TurnRestCredential.Create("north", "3f2504e0-4f89-11d3-9a0c-0305e82c3301", DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

        Assert.Equal("1700000000:3f2504e0-4f89-11d3-9a0c-0305e82c3301", credential.Username);
        Assert.Equal("zhGvHUC/syHfFfjZL6+zgf70mQg=", credential.Password);
    }

    [Fact]
    public void Another_secret_gives_another_password()
    {
        Assert.NotEqual(TurnRestCredential.Sign("north", "1:u").Password, TurnRestCredential.Sign("south", "1:u").Password);
    }
}
