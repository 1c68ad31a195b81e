using System.Security.Cryptography;
using System.Text;

namespace AudioStream.MediaService.Apis;

/// <summary>
/// A short-lived TURN credential (draft-uberti-behave-turn-rest-00 §2.2): the username is
/// <c>expiry:userId</c> (expiry in Unix seconds), the password is <c>base64(HMAC-SHA1(shared secret, username))</c>.
/// coturn (<c>use-auth-secret</c>) recomputes the password from the username and refuses it once the expiry has passed.
/// </summary>
public readonly record struct TurnRestCredential(string Username, string Password)
{
    public static TurnRestCredential Create(string secret, string userId, DateTimeOffset expiry) =>
        Sign(secret, $"{expiry.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)}:{userId}");

    public static TurnRestCredential Sign(string secret, string username)
    {
#pragma warning disable CA5350 // HMAC-SHA1 is what the TURN REST scheme (and coturn's use-auth-secret) defines.
        var mac = HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(username));
#pragma warning restore CA5350
        return new TurnRestCredential(username, Convert.ToBase64String(mac));
    }
}
