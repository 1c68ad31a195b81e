using System.Globalization;

namespace AudioStream.MediaService.WebRtc.Sdp;

public enum MediaDirection
{
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

public sealed record SdpFingerprint(string Algorithm, string Value)
{
    /// <summary>The fingerprint as bytes (the hex pairs of <see cref="Value"/>).</summary>
    public byte[] ToBytes()
    {
        var parts = Value.Split(':');
        var bytes = new byte[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            bytes[i] = byte.Parse(parts[i], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        }

        return bytes;
    }

    public override string ToString() => $"{Algorithm} {Value}";
}

public sealed record SdpRtpMap(int PayloadType, string Encoding, int ClockRate, int Channels);

public sealed class SdpMediaDescription
{
    public required string Kind { get; init; }

    public int Port { get; init; }

    public required string Protocol { get; init; }

    public IReadOnlyList<string> Formats { get; init; } = [];

    public string? Mid { get; internal set; }

    public string? IceUfrag { get; internal set; }

    public string? IcePwd { get; internal set; }

    public SdpFingerprint? Fingerprint { get; internal set; }

    public string? Setup { get; internal set; }

    public MediaDirection Direction { get; internal set; } = MediaDirection.SendRecv;

    public bool RtcpMux { get; internal set; }

    public Dictionary<int, SdpRtpMap> RtpMaps { get; } = [];

    public Dictionary<int, string> Fmtps { get; } = [];

    public List<string> Candidates { get; } = [];

    public List<string> Attributes { get; } = [];

    /// <summary>The first Opus payload type offered (the offer's preference order), or null.</summary>
    public SdpRtpMap? Opus
    {
        get
        {
            foreach (var format in Formats)
            {
                if (int.TryParse(format, NumberStyles.None, CultureInfo.InvariantCulture, out int pt)
                    && RtpMaps.TryGetValue(pt, out var map)
                    && map.Encoding.Equals("opus", StringComparison.OrdinalIgnoreCase)
                    && map.ClockRate == 48000)
                {
                    return map;
                }
            }

            return null;
        }
    }
}

/// <summary>
/// A parsed SDP offer (RFC 8866), with the attributes WebRTC needs (RFC 8829, 8839, 8842, 8843). Session-level
/// ICE and DTLS attributes apply to media sections that do not carry their own.
/// </summary>
public sealed class SdpOffer
{
    private const int MaxLength = 64 * 1024;
    private const int MaxMediaSections = 64;

    public string Raw { get; private init; } = string.Empty;

    public string? SessionId { get; private set; }

    public string? IceUfrag { get; private set; }

    public string? IcePwd { get; private set; }

    public SdpFingerprint? Fingerprint { get; private set; }

    public string? Setup { get; private set; }

    public bool IceLite { get; private set; }

    public IReadOnlyList<string> BundleMids { get; private set; } = [];

    public List<SdpMediaDescription> Media { get; } = [];

    public static SdpOffer Parse(string sdp) =>
        TryParse(sdp, out var offer, out var error) ? offer : throw new SdpParseException(error);

    public static bool TryParse(
        string? sdp,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SdpOffer? offer,
        out string error)
    {
        offer = null;
        try
        {
            return TryParseCore(sdp, out offer, out error);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException)
        {
            error = $"unreadable SDP: {ex.Message}";
            return false;
        }
    }

    public string? UfragFor(SdpMediaDescription media) => media.IceUfrag ?? IceUfrag;

    public string? PwdFor(SdpMediaDescription media) => media.IcePwd ?? IcePwd;

    public SdpFingerprint? FingerprintFor(SdpMediaDescription media) => media.Fingerprint ?? Fingerprint;

    public string? SetupFor(SdpMediaDescription media) => media.Setup ?? Setup;

    private static bool TryParseCore(string? sdp, out SdpOffer? offer, out string error)
    {
        offer = null;
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

        var result = new SdpOffer { Raw = sdp };
        SdpMediaDescription? media = null;
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
                        error = $"line {lineNumber}: m= port '{fields[1]}' is not a port";
                        return false;
                    }

                    media = new SdpMediaDescription { Kind = fields[0], Port = port, Protocol = fields[2], Formats = fields[3..] };
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

        offer = result;
        error = string.Empty;
        return true;
    }

    private static bool ApplyAttribute(SdpOffer offer, SdpMediaDescription? media, string value, int lineNumber, out string error)
    {
        error = string.Empty;
        int colon = value.IndexOf(':', StringComparison.Ordinal);
        string name = colon < 0 ? value : value[..colon];
        string argument = colon < 0 ? string.Empty : value[(colon + 1)..];
        media?.Attributes.Add(value);
        switch (name)
        {
            case "ice-ufrag":
                if (argument.Length == 0)
                {
                    error = $"line {lineNumber}: empty ice-ufrag";
                    return false;
                }

                if (media is null)
                {
                    offer.IceUfrag = argument;
                }
                else
                {
                    media.IceUfrag = argument;
                }

                break;
            case "ice-pwd":
                if (argument.Length == 0)
                {
                    error = $"line {lineNumber}: empty ice-pwd";
                    return false;
                }

                if (media is null)
                {
                    offer.IcePwd = argument;
                }
                else
                {
                    media.IcePwd = argument;
                }

                break;
            case "ice-lite":
                offer.IceLite = true;
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
                    offer.Fingerprint = fingerprint;
                }
                else
                {
                    media.Fingerprint = fingerprint;
                }

                break;
            case "setup":
                if (media is null)
                {
                    offer.Setup = argument;
                }
                else
                {
                    media.Setup = argument;
                }

                break;
            case "group":
                var group = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (group.Length > 0 && group[0] == "BUNDLE")
                {
                    offer.BundleMids = group[1..];
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
            case "rtcp-mux" when media is not null:
                media.RtcpMux = true;
                break;
            case "candidate" when media is not null:
                media.Candidates.Add(argument);
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
                if (space > 0 && int.TryParse(argument[..space], NumberStyles.None, CultureInfo.InvariantCulture, out int fmtpPt))
                {
                    media.Fmtps[fmtpPt] = argument[(space + 1)..];
                }

                break;
            default:
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
}

public sealed class SdpParseException(string message) : FormatException($"Invalid SDP offer: {message}");
