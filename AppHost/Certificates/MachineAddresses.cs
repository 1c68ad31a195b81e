using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace AudioStream.AppHost.Certificates;

/// <summary>The machine's addresses as other devices (and this one) can address it: what the certificate names.</summary>
internal static class MachineAddresses
{
    /// <summary>
    /// Unicast addresses assigned to the machine's interfaces (loopback included), sorted. Whether a link is up at this
    /// moment does not count: a cable or Wi-Fi blip must not reissue the certificate. IPv6 link-local addresses are left
    /// out: they only mean something with a zone (<c>%eth0</c>), which URLs and certificates cannot carry.
    /// </summary>
    public static IReadOnlyList<IPAddress> Current()
    {
        var passing = PassingIPv6Addresses();
        return NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(nic => nic.GetIPProperties().UnicastAddresses.Select(unicast => unicast.Address))
            .Where(address => IsNameable(address) && !passing.Contains(address))
            .Distinct()
            .Order(AddressOrder.Instance)
            .ToList();
    }

    public static bool IsNameable(IPAddress address) =>
        address.AddressFamily is AddressFamily.InterNetwork
        || (address.AddressFamily is AddressFamily.InterNetworkV6 && !address.IsIPv6LinkLocal && !address.IsIPv4MappedToIPv6);

    /// <summary>
    /// IPv6 privacy (temporary) and deprecated addresses (Linux: /proc/net/if_inet6 flags IFA_F_TEMPORARY 0x01,
    /// IFA_F_DEPRECATED 0x20): they come and go every few hours, nobody types them, and naming them would reissue the
    /// certificate and restart TURN each time.
    /// </summary>
    private static HashSet<IPAddress> PassingIPv6Addresses()
    {
        const int Temporary = 0x01, Deprecated = 0x20;
        var passing = new HashSet<IPAddress>();
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/net/if_inet6"))
        {
            return passing;
        }
        foreach (var line in File.ReadLines("/proc/net/if_inet6"))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 5 && fields[0].Length == 32
                && int.TryParse(fields[4], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var flags)
                && (flags & (Temporary | Deprecated)) != 0)
            {
                passing.Add(new IPAddress(Convert.FromHexString(fields[0])));
            }
        }
        return passing;
    }

    /// <summary>IPv4 before IPv6, then by bytes: a stable order, so an unchanged set compares equal.</summary>
    internal sealed class AddressOrder : IComparer<IPAddress>
    {
        public static AddressOrder Instance { get; } = new();

        public int Compare(IPAddress? x, IPAddress? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }
            if (x is null || y is null)
            {
                return x is null ? -1 : 1;
            }
            var family = x.AddressFamily.CompareTo(y.AddressFamily);
            return family != 0 ? family : x.GetAddressBytes().AsSpan().SequenceCompareTo(y.GetAddressBytes());
        }
    }
}
