using System.Globalization;

namespace AudioStream.MediaService.WebRtc.Sdp;

/// <summary>One <c>a=rtpmap</c> (RFC 8866 §6.6): payload type, encoding, clock rate, channels.</summary>
public sealed record SdpRtpMap(int PayloadType, string Encoding, int ClockRate, int Channels)
{
    /// <summary>The attribute's value: <c>111 opus/48000/2</c> (channels written only when not 1, or for Opus, always).</summary>
    public override string ToString() =>
        Channels != 1 || Encoding.Equals("opus", StringComparison.OrdinalIgnoreCase)
            ? string.Create(CultureInfo.InvariantCulture, $"{PayloadType} {Encoding}/{ClockRate}/{Channels}")
            : string.Create(CultureInfo.InvariantCulture, $"{PayloadType} {Encoding}/{ClockRate}");
}
