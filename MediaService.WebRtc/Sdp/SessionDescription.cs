using System.Globalization;
using System.Net.Sockets;
using System.Text;
using AudioStream.MediaService.WebRtc.Ice;

namespace AudioStream.MediaService.WebRtc.Sdp;

/// <summary>
/// An SDP session description (RFC 8866) as WebRTC uses it, read and written by this one type: offers from browsers,
/// our answers, the C# client's offers. Session-level ICE and DTLS attributes apply to media sections that do not carry
/// their own. Parsing takes hostile input: bounded size and section count, and <see cref="SdpParseException"/> as the
/// only failure.
/// </summary>
public sealed class SessionDescription
{
    public const int MaxLength = 64 * 1024;
    public const int MaxMediaSections = 64;
    private const int MaxCandidatesPerSection = 64;

    /// <summary>The o= line's sess-id.</summary>
    public string SessionId { get; set; } = "0";

    /// <summary>The o= line's sess-version.</summary>
    public string SessionVersion { get; set; } = "2";

    /// <summary>The session-level <c>c=</c> address, if any.</summary>
    public string? ConnectionAddress { get; set; }

    public string? IceUfrag { get; set; }

    public string? IcePwd { get; set; }

    public SdpFingerprint? Fingerprint { get; set; }

    public string? Setup { get; set; }

    /// <summary><c>a=ice-lite</c> (RFC 8839 §5.3).</summary>
    public bool IceLite { get; set; }

    /// <summary>The mids of <c>a=group:BUNDLE</c> (RFC 8843), empty without one.</summary>
    public IReadOnlyList<string> BundleMids { get; set; } = [];

    /// <summary>Other session-level attributes (<c>name[:value]</c>, without <c>a=</c>), in order.</summary>
    public List<string> Attributes { get; } = [];

    public List<MediaDescription> Media { get; } = [];

    public static SessionDescription Parse(string? sdp) =>
        TryParse(sdp, out var description, out var error) ? description : throw new SdpParseException(error);

    public static bool TryParse(
        string? sdp,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SessionDescription? description,
        out string error)
    {
        description = null;
        try
        {
            return TryParseCore(sdp, out description, out error);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException)
        {
            error = $"unreadable SDP: {ex.Message}";
            return false;
        }
    }

    public string? UfragFor(MediaDescription media) => media.IceUfrag ?? IceUfrag;

    public string? PwdFor(MediaDescription media) => media.IcePwd ?? IcePwd;

    public SdpFingerprint? FingerprintFor(MediaDescription media) => media.Fingerprint ?? Fingerprint;

    public string? SetupFor(MediaDescription media) => media.Setup ?? Setup;

    /// <summary>The SDP text: CRLF line endings, known attributes in a fixed order, then the others as they came.</summary>
    public override string ToString()
    {
        var sdp = new SdpWriter(512 + (Media.Count * 512));
        sdp.Line("v=0");
        sdp.Line($"o=- {SessionId} {SessionVersion} IN IP4 127.0.0.1");
        sdp.Line("s=-");
        if (ConnectionAddress is not null)
        {
            sdp.Connection(ConnectionAddress);
        }

        sdp.Line("t=0 0");
        if (BundleMids.Count > 0)
        {
            sdp.Line($"a=group:BUNDLE {string.Join(' ', BundleMids)}");
        }

        if (IceLite)
        {
            sdp.Line("a=ice-lite");
        }

        sdp.TransportAttributes(IceUfrag, IcePwd, Fingerprint, Setup);
        sdp.Attributes(Attributes);
        foreach (var media in Media)
        {
            sdp.Line($"m={media.Kind} {media.Port.ToString(CultureInfo.InvariantCulture)} {media.Protocol} {(media.Formats.Count > 0 ? string.Join(' ', media.Formats) : "0")}");
            if (media.ConnectionAddress is not null)
            {
                sdp.Connection(media.ConnectionAddress);
            }

            sdp.TransportAttributes(media.IceUfrag, media.IcePwd, media.Fingerprint, media.Setup);
            if (media.Mid is not null)
            {
                sdp.Line($"a=mid:{media.Mid}");
            }

            sdp.Line(media.Direction switch
            {
                MediaDirection.RecvOnly => "a=recvonly",
                MediaDirection.SendOnly => "a=sendonly",
                MediaDirection.Inactive => "a=inactive",
                _ => "a=sendrecv",
            });
            if (media.Msid is not null)
            {
                sdp.Line($"a=msid:{media.Msid}");
            }

            if (media.RtcpMux)
            {
                sdp.Line("a=rtcp-mux");
            }

            foreach (var format in media.Formats)
            {
                if (int.TryParse(format, NumberStyles.None, CultureInfo.InvariantCulture, out int pt))
                {
                    if (media.RtpMaps.TryGetValue(pt, out var map))
                    {
                        sdp.Line($"a=rtpmap:{map}");
                    }

                    if (media.Fmtps.TryGetValue(pt, out var fmtp))
                    {
                        sdp.Line($"a=fmtp:{format} {fmtp}");
                    }
                }
            }

            sdp.Attributes(media.Attributes);
            foreach (var candidate in media.Candidates)
            {
                sdp.Line($"a=candidate:{candidate}");
            }

            if (media.EndOfCandidates)
            {
                sdp.Line("a=end-of-candidates");
            }
        }

        return sdp.ToString();
    }

    private static bool TryParseCore(string? sdp, out SessionDescription? description, out string error)
    {
        description = null;
        if (string.IsNullOrWhiteSpace(sdp))
        {
            error = "the SDP is empty";
            return false;
        }

        if (sdp.Length > MaxLength)
        {
            error = $"the SDP is longer than {MaxLength} characters";
            return false;
        }

        var result = new SessionDescription();
        MediaDescription? media = null;
        bool sawVersion = false;
        int lineNumber = 0;
        foreach (var rawLine in sdp.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            if (line.Length < 2 || line[1] != '=')
            {
                error = $"line {lineNumber} is not <type>=<value>: '{Truncate(line)}'";
                return false;
            }

            char type = line[0];
            string value = line[2..];
            if (!sawVersion)
            {
                if (type != 'v' || value != "0")
                {
                    error = "the SDP does not start with v=0";
                    return false;
                }

                sawVersion = true;
                continue;
            }

            switch (type)
            {
                case 'o':
                    var origin = value.Split(' ');
                    if (origin.Length != 6)
                    {
                        error = $"line {lineNumber}: o= needs 6 fields";
                        return false;
                    }

                    result.SessionId = origin[1];
                    result.SessionVersion = origin[2];
                    break;
                case 'c':
                    var connection = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (connection.Length != 3 || connection[0] != "IN")
                    {
                        error = $"line {lineNumber}: c= must be 'IN <IP4|IP6> <address>'";
                        return false;
                    }

                    if (media is null)
                    {
                        result.ConnectionAddress = connection[2];
                    }
                    else
                    {
                        media.ConnectionAddress = connection[2];
                    }

                    break;
                case 'm':
                    if (result.Media.Count >= MaxMediaSections)
                    {
                        error = "too many media sections";
                        return false;
                    }

                    var fields = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (fields.Length < 3)
                    {
                        error = $"line {lineNumber}: m= needs media, port, protocol";
                        return false;
                    }

                    var portField = fields[1].Split('/')[0];
                    if (!int.TryParse(portField, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
                    {
                        error = $"line {lineNumber}: m= port '{Truncate(fields[1])}' is not a port";
                        return false;
                    }

                    media = new MediaDescription { Kind = fields[0], Port = port, Protocol = fields[2], Formats = fields[3..] };
                    result.Media.Add(media);
                    break;
                case 'a':
                    if (!ApplyAttribute(result, media, value, lineNumber, out error))
                    {
                        return false;
                    }

                    break;
                default:
                    break;
            }
        }

        if (!sawVersion)
        {
            error = "the SDP does not start with v=0";
            return false;
        }

        if (result.Media.Count == 0)
        {
            error = "the SDP has no media section";
            return false;
        }

        description = result;
        error = string.Empty;
        return true;
    }

    private static bool ApplyAttribute(SessionDescription session, MediaDescription? media, string value, int lineNumber, out string error)
    {
        error = string.Empty;
        int colon = value.IndexOf(':', StringComparison.Ordinal);
        string name = colon < 0 ? value : value[..colon];
        string argument = colon < 0 ? string.Empty : value[(colon + 1)..];
        switch (name)
        {
            case "ice-ufrag" or "ice-pwd":
                if (argument.Length == 0)
                {
                    error = $"line {lineNumber}: empty {name}";
                    return false;
                }

                if (media is null && name == "ice-ufrag")
                {
                    session.IceUfrag = argument;
                }
                else if (media is null)
                {
                    session.IcePwd = argument;
                }
                else if (name == "ice-ufrag")
                {
                    media.IceUfrag = argument;
                }
                else
                {
                    media.IcePwd = argument;
                }

                break;
            case "ice-lite" when media is null:
                session.IceLite = true;
                break;
            case "fingerprint":
                var parts = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length != 2 || !IsHexPairs(parts[1]))
                {
                    error = $"line {lineNumber}: fingerprint must be '<hash> <hex:pairs>'";
                    return false;
                }

                var fingerprint = new SdpFingerprint(parts[0].ToLowerInvariant(), parts[1].ToUpperInvariant());
                if (media is null)
                {
                    session.Fingerprint = fingerprint;
                }
                else
                {
                    media.Fingerprint = fingerprint;
                }

                break;
            case "setup":
                if (media is null)
                {
                    session.Setup = argument;
                }
                else
                {
                    media.Setup = argument;
                }

                break;
            case "group" when media is null:
                var group = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (group.Length > 0 && group[0] == "BUNDLE")
                {
                    session.BundleMids = group[1..];
                }
                else
                {
                    session.Attributes.Add(value);
                }

                break;
            case "mid" when media is not null:
                media.Mid = argument;
                break;
            case "sendrecv" when media is not null:
                media.Direction = MediaDirection.SendRecv;
                break;
            case "sendonly" when media is not null:
                media.Direction = MediaDirection.SendOnly;
                break;
            case "recvonly" when media is not null:
                media.Direction = MediaDirection.RecvOnly;
                break;
            case "inactive" when media is not null:
                media.Direction = MediaDirection.Inactive;
                break;
            case "msid" when media is not null:
                media.Msid = argument;
                break;
            case "rtcp-mux" when media is not null:
                media.RtcpMux = true;
                break;
            case "candidate" when media is not null:
                // An unreadable candidate (or one past the limit) is left out: ICE-lite learns addresses from checks.
                if (media.Candidates.Count < MaxCandidatesPerSection && IceCandidate.TryParse(argument, out var candidate))
                {
                    media.Candidates.Add(candidate);
                }

                break;
            case "end-of-candidates" when media is not null:
                media.EndOfCandidates = true;
                break;
            case "rtpmap" when media is not null:
                if (!TryParseRtpMap(argument, out var map))
                {
                    error = $"line {lineNumber}: rtpmap must be '<pt> <encoding>/<clock>[/<channels>]'";
                    return false;
                }

                media.RtpMaps[map.PayloadType] = map;
                break;
            case "fmtp" when media is not null:
                int space = argument.IndexOf(' ', StringComparison.Ordinal);
                if (space > 0 && int.TryParse(argument[..space], NumberStyles.None, CultureInfo.InvariantCulture, out int fmtpPt) && fmtpPt <= 127)
                {
                    media.Fmtps[fmtpPt] = argument[(space + 1)..];
                }

                break;
            default:
                (media?.Attributes ?? session.Attributes).Add(value);
                break;
        }

        return true;
    }

    private static bool TryParseRtpMap(string argument, out SdpRtpMap map)
    {
        map = null!;
        int space = argument.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0
            || !int.TryParse(argument[..space], NumberStyles.None, CultureInfo.InvariantCulture, out int pt)
            || pt > 127)
        {
            return false;
        }

        var codec = argument[(space + 1)..].Split('/');
        if (codec.Length < 2 || codec[0].Length == 0
            || !int.TryParse(codec[1], NumberStyles.None, CultureInfo.InvariantCulture, out int clock))
        {
            return false;
        }

        int channels = 1;
        if (codec.Length > 2 && !int.TryParse(codec[2], NumberStyles.None, CultureInfo.InvariantCulture, out channels))
        {
            return false;
        }

        map = new SdpRtpMap(pt, codec[0], clock, channels);
        return true;
    }

    private static bool IsHexPairs(string value)
    {
        var parts = value.Split(':');
        foreach (var part in parts)
        {
            if (part.Length != 2 || !Uri.IsHexDigit(part[0]) || !Uri.IsHexDigit(part[1]))
            {
                return false;
            }
        }

        return parts.Length >= 16;
    }

    private static string Truncate(string line) => line.Length > 40 ? line[..40] + "…" : line;

    /// <summary>Lines with CRLF (RFC 8866 §5), the one place SDP text is put together.</summary>
    private readonly struct SdpWriter(int capacity)
    {
        private readonly StringBuilder _text = new(capacity);

        public void Line(string line) => _text.Append(line).Append("\r\n");

        public void Connection(string address) =>
            Line($"c=IN {(System.Net.IPAddress.TryParse(address, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? "IP6" : "IP4")} {address}");

        public void TransportAttributes(string? ufrag, string? pwd, SdpFingerprint? fingerprint, string? setup)
        {
            if (ufrag is not null)
            {
                Line($"a=ice-ufrag:{ufrag}");
            }

            if (pwd is not null)
            {
                Line($"a=ice-pwd:{pwd}");
            }

            if (fingerprint is not null)
            {
                Line($"a=fingerprint:{fingerprint}");
            }

            if (setup is not null)
            {
                Line($"a=setup:{setup}");
            }
        }

        public void Attributes(List<string> attributes)
        {
            foreach (var attribute in attributes)
            {
                Line($"a={attribute}");
            }
        }

        public override string ToString() => _text.ToString();
    }
}
