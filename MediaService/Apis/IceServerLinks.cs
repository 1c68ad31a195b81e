using System.Text;

namespace AudioStream.MediaService.Apis;

/// <summary>
/// ICE servers as WHIP/WHEP list them in a 201 (RFC 9725 §4.6): one <c>Link</c> per URL,
/// <c>&lt;turn:host:3478?transport=udp&gt;; rel="ice-server"; username="…"; credential="…"; credential-type="password"</c>,
/// parameters as RFC 8288 quoted strings.
/// </summary>
public static class IceServerLinks
{
    public static string[] Format(IEnumerable<IceServer> servers) =>
        servers.SelectMany(server => server.Urls.Select(url => Format(url, server))).ToArray();

    private static string Format(string url, IceServer server)
    {
        var link = new StringBuilder().Append('<').Append(url).Append(">; rel=\"ice-server\"");
        if (server.Username is not null && server.Credential is not null)
        {
            link.Append("; username=").Append(Quote(server.Username))
                .Append("; credential=").Append(Quote(server.Credential))
                .Append("; credential-type=\"password\"");
        }
        return link.ToString();
    }

    /// <summary>RFC 9110 §5.6.4 quoted-string: backslash before <c>"</c> and <c>\</c>.</summary>
    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
