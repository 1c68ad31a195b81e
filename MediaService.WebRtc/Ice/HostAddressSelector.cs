using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace AudioStream.MediaService.WebRtc.Ice;

/// <summary>
/// Picks the addresses to offer as host candidates (RFC 8445 §5.1.1.1): every address of every interface that is up,
/// except link-local ones (169.254/16, fe80::/10: other devices cannot route to them), container and VM bridges
/// (by interface name: they lead to this machine's containers, not to friends) and loopback, which is offered only
/// to a client on this machine. Loopback comes first when offered, then IPv4, then IPv6.
/// </summary>
public sealed class HostAddressSelector
{
    /// <summary>Bridges of Docker, Podman, libvirt, LXC/LXD, CNI and flannel. veth pairs are not excluded: their ends carry real addresses.</summary>
    public static readonly IReadOnlyList<string> DefaultExcludedInterfaces =
        ["docker*", "br-*", "virbr*", "cni*", "podman*", "flannel*", "lxcbr*", "lxdbr*"];

    private readonly Regex[] _excluded;

    /// <param name="excludedInterfaces">Interface-name patterns (<c>*</c> and <c>?</c> wildcards, case-insensitive) never offered.</param>
    /// <param name="includeIPv6">Whether IPv6 addresses (global and unique-local) are offered.</param>
    public HostAddressSelector(IEnumerable<string>? excludedInterfaces = null, bool includeIPv6 = true)
    {
        _excluded = [.. (excludedInterfaces ?? DefaultExcludedInterfaces).Where(p => p.Length > 0).Select(ToRegex)];
        IncludeIPv6 = includeIPv6;
    }

    public bool IncludeIPv6 { get; }

    /// <param name="interfaces">The machine's interfaces (<see cref="LocalInterface.FromSystem"/>).</param>
    /// <param name="includeLoopback">True when the client is on this machine (its request came over loopback).</param>
    public IReadOnlyList<IPAddress> Select(IEnumerable<LocalInterface> interfaces, bool includeLoopback)
    {
        var loopback = new List<IPAddress>();
        var v4 = new List<IPAddress>();
        var v6 = new List<IPAddress>();
        foreach (var candidate in interfaces)
        {
            if (!candidate.IsUp || IsExcluded(candidate.Name))
            {
                continue;
            }

            foreach (var raw in candidate.Addresses)
            {
                var address = raw.AddressFamily == AddressFamily.InterNetworkV6 && raw.ScopeId != 0 ? new IPAddress(raw.GetAddressBytes()) : raw;
                if (candidate.IsLoopback || IPAddress.IsLoopback(address))
                {
                    if (includeLoopback && (address.AddressFamily == AddressFamily.InterNetwork || IncludeIPv6))
                    {
                        loopback.Add(address);
                    }
                }
                else if (address.AddressFamily == AddressFamily.InterNetwork && IsUsableIPv4(address))
                {
                    v4.Add(address);
                }
                else if (address.AddressFamily == AddressFamily.InterNetworkV6 && IncludeIPv6 && IsUsableIPv6(raw))
                {
                    v6.Add(address);
                }
            }
        }

        return [.. loopback.Concat(v4).Concat(v6).Distinct()];
    }

    public bool IsExcluded(string interfaceName) => Array.Exists(_excluded, pattern => pattern.IsMatch(interfaceName));

    private static bool IsUsableIPv4(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return !(bytes[0] == 169 && bytes[1] == 254) // link-local (RFC 3927)
            && bytes[0] != 0 && bytes[0] < 224;       // "this network", multicast, reserved
    }

    private static bool IsUsableIPv6(IPAddress address) =>
        !address.IsIPv6LinkLocal && !address.IsIPv6SiteLocal && !address.IsIPv6Multicast && !address.IsIPv4MappedToIPv6
        && !address.Equals(IPAddress.IPv6Any);

    private static Regex ToRegex(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
}
