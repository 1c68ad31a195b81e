using System.Globalization;
using AudioStream.MediaService.WebRtc.Ice;

namespace AudioStream.MediaService.WebRtc.Sdp;

/// <summary>
/// One media section (<c>m=</c> and what follows it) with the attributes WebRTC uses (RFC 8829, 8839, 8842, 8843).
/// Attributes not modelled here are kept in <see cref="Attributes"/> and written back as they came.
/// </summary>
public sealed class MediaDescription
{
    public required string Kind { get; init; }

    /// <summary>The m= port; 0 rejects the section (RFC 8843 §7.3.3). 9 is the discard port offers use with ICE.</summary>
    public int Port { get; set; }

    public required string Protocol { get; init; }

    public IReadOnlyList<string> Formats { get; init; } = [];

    /// <summary>The address of this section's <c>c=</c> line, or null to use the session's.</summary>
    public string? ConnectionAddress { get; set; }

    public string? Mid { get; set; }

    public string? IceUfrag { get; set; }

    public string? IcePwd { get; set; }

    public SdpFingerprint? Fingerprint { get; set; }

    /// <summary>DTLS role (RFC 8842 §5.2): actpass, active or passive.</summary>
    public string? Setup { get; set; }

    public MediaDirection Direction { get; set; } = MediaDirection.SendRecv;

    /// <summary><c>a=msid</c> (RFC 8830): stream and track id.</summary>
    public string? Msid { get; set; }

    public bool RtcpMux { get; set; }

    public Dictionary<int, SdpRtpMap> RtpMaps { get; } = [];

    public Dictionary<int, string> Fmtps { get; } = [];

    public List<IceCandidate> Candidates { get; } = [];

    public bool EndOfCandidates { get; set; }

    /// <summary>The other attributes (<c>name[:value]</c>, without <c>a=</c>), in order.</summary>
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
