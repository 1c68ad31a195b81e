using System.Globalization;
using Microsoft.Extensions.Options;

namespace AudioStream.MediaService.Apis;

/// <summary>
/// The STUN and TURN servers offered to a signed-in user: the relay's URLs for UDP, TCP and TLS with a credential
/// signed for that user. The host in the URLs is <see cref="TurnOptions.PublicHost"/>, else the host the browser
/// addressed (the gateway forwards it), which is the address that device can reach this machine at.
/// </summary>
public sealed class IceServerDirectory(IOptions<TurnOptions> options, TimeProvider time)
{
    public IceServersResponse For(HttpRequest request, Guid userId)
    {
        var turn = options.Value;
        var host = UrlHost(turn.PublicHost) ?? UrlHost(request.Host.Host);
        if (string.IsNullOrEmpty(turn.Secret) || host is null)
        {
            return new IceServersResponse([], turn.CredentialTtlSeconds);
        }

        var credential = TurnRestCredential.Create(
            turn.Secret, userId.ToString("D"), time.GetUtcNow().AddSeconds(turn.CredentialTtlSeconds));
        var port = turn.Port.ToString(CultureInfo.InvariantCulture);
        // RFC 7064 / RFC 7065 URIs.
        List<string> relays = [$"turn:{host}:{port}?transport=udp", $"turn:{host}:{port}?transport=tcp"];
        if (turn.TlsPort > 0)
        {
            relays.Add($"turns:{host}:{turn.TlsPort.ToString(CultureInfo.InvariantCulture)}?transport=tcp");
        }
        return new IceServersResponse(
            [new IceServer([$"stun:{host}:{port}"]), new IceServer(relays, credential.Username, credential.Password)],
            turn.CredentialTtlSeconds);
    }

    /// <summary>A host name or address fit for a URI (IPv6 in brackets), or null for anything else.</summary>
    internal static string? UrlHost(string? host)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            return null;
        }
        var bare = host.Trim().TrimStart('[').TrimEnd(']');
        return Uri.CheckHostName(bare) switch
        {
            UriHostNameType.Dns or UriHostNameType.IPv4 => bare,
            UriHostNameType.IPv6 => $"[{bare}]",
            _ => null,
        };
    }
}
