using System.Globalization;

namespace AudioStream.MediaService.WebRtc.Sdp;

/// <summary>A certificate fingerprint (RFC 8122 §5): hash function name and upper-case hex pairs.</summary>
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
