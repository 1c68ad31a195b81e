using System.Net;
using System.Net.Sockets;

namespace AudioStream.ServiceDefaults.Security;

/// <summary>
/// Who a per-client limit counts: one IPv4 address (a household behind NAT shares one), or one IPv6 /64 (what one
/// home or phone is given; counting single IPv6 addresses would let one machine pick a fresh one per request).
/// </summary>
public static class ClientAddress
{
    private const int Ipv6NetworkBytes = 8;

    public static string PartitionKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(address))
        {
            return address.ToString();
        }
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[Ipv6NetworkBytes..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }
}
