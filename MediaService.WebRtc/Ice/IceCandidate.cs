using System.Globalization;
using System.Net;
using System.Text;

namespace AudioStream.MediaService.WebRtc.Ice;

/// <summary>
/// One ICE candidate as the SDP <c>a=candidate</c> attribute carries it (RFC 8839 §5.1):
/// <c>foundation component transport priority address port typ type [raddr a rport p] [tcptype t] [ext value]…</c>.
/// </summary>
public sealed record IceCandidate(string Foundation, int Component, string Transport, uint Priority, string Address, int Port, string Type)
{
    public const string TypeHost = "host";
    public const string TransportUdp = "udp";
    public const string TransportTcp = "tcp";

    /// <summary>RFC 8445 §5.1.2.2: the recommended type preference of host candidates.</summary>
    public const int HostTypePreference = 126;

    private const int MaxFoundationLength = 32;
    private const int MaxAddressLength = 255;
    private const int MaxFields = 32;

    /// <summary>RFC 6544 §4.5: <c>active</c>, <c>passive</c> or <c>so</c> for TCP candidates; null for UDP.</summary>
    public string? TcpType { get; init; }

    /// <summary>The address when it is an IP literal (not an mDNS <c>.local</c> name), else null.</summary>
    public IPAddress? IPAddress => System.Net.IPAddress.TryParse(Address, out var ip) ? ip : null;

    /// <summary>RFC 8445 §5.1.2.1: priority = 2^24·type preference + 2^8·local preference + (256 − component).</summary>
    public static uint ComputePriority(int typePreference, int localPreference, int component = 1) =>
        ((uint)typePreference << 24) + ((uint)localPreference << 8) + (uint)(256 - component);

    /// <summary>A host candidate for component 1; a smaller <paramref name="rank"/> gets a higher priority.</summary>
    public static IceCandidate Host(int rank, IPAddress address, int port, string transport = TransportUdp, string? tcpType = null) =>
        Host(rank, address.ToString(), port, transport, tcpType);

    /// <summary>A host candidate for an address written as configured (an IP literal, as browsers need).</summary>
    public static IceCandidate Host(int rank, string address, int port, string transport = TransportUdp, string? tcpType = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rank, 1023);
        // RFC 6544 §4.2: local preference = 2^13·direction preference (active 6, passive 4, so 2) + other preference,
        // which keeps TCP candidates below every UDP one (65535 − rank).
        int localPreference = transport == TransportTcp
            ? ((tcpType switch { "active" => 6, "passive" => 4, _ => 2 }) << 13) + (8191 - rank)
            : 65535 - rank;
        return new IceCandidate(
            Foundation: (transport == TransportTcp ? 1024 + rank : 1 + rank).ToString(CultureInfo.InvariantCulture),
            Component: 1,
            Transport: transport,
            Priority: ComputePriority(HostTypePreference, localPreference),
            Address: address,
            Port: port,
            Type: TypeHost) { TcpType = tcpType };
    }

    /// <summary>Reads the attribute value (what follows <c>a=candidate:</c>); false when it is not a candidate.</summary>
    public static bool TryParse(string? value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IceCandidate? candidate)
    {
        candidate = null;
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        var fields = value.Split(' ', MaxFields + 1, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 8 || fields.Length > MaxFields || fields[6] != "typ"
            || fields[0].Length > MaxFoundationLength || fields[4].Length > MaxAddressLength
            || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int component) || component is < 1 or > 256
            || !uint.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out uint priority)
            || !int.TryParse(fields[5], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            return false;
        }

        string? tcpType = null;
        for (int i = 8; i + 1 < fields.Length; i += 2)
        {
            if (fields[i] == "tcptype")
            {
                tcpType = fields[i + 1];
            }
        }

        candidate = new IceCandidate(fields[0], component, fields[2].ToLowerInvariant(), priority, fields[4], port, fields[7]) { TcpType = tcpType };
        return true;
    }

    /// <summary>The attribute value, e.g. <c>1 1 udp 2130706431 192.0.2.10 40000 typ host</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(64).Append(CultureInfo.InvariantCulture,
            $"{Foundation} {Component} {Transport} {Priority} {Address} {Port} typ {Type}");
        if (TcpType is not null)
        {
            text.Append(" tcptype ").Append(TcpType);
        }

        return text.ToString();
    }
}
