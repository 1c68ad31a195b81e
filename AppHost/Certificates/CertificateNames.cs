using System.Net;

namespace AudioStream.AppHost.Certificates;

/// <summary>What a generated server certificate must be valid for: host names and IP addresses (its SANs).</summary>
internal sealed class CertificateNames(IReadOnlyList<string> dnsNames, IReadOnlyList<IPAddress> addresses)
{
    public IReadOnlyList<string> DnsNames { get; } = dnsNames;

    public IReadOnlyList<IPAddress> Addresses { get; } = addresses;

    /// <summary><c>localhost</c>, the host name and every current address of the machine.</summary>
    public static CertificateNames ForThisMachine() => For(Dns.GetHostName(), MachineAddresses.Current());

    public static CertificateNames For(string hostName, IEnumerable<IPAddress> addresses) => new(
        new[] { "localhost", hostName }.Where(name => !string.IsNullOrWhiteSpace(name))
            .Select(name => name.ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal).ToList(),
        addresses.Where(MachineAddresses.IsNameable).Distinct().Order(MachineAddresses.AddressOrder.Instance).ToList());

    public bool SameAs(CertificateNames other) =>
        DnsNames.SequenceEqual(other.DnsNames, StringComparer.Ordinal) && Addresses.SequenceEqual(other.Addresses);

    public override string ToString() => string.Join(", ", DnsNames.Concat(Addresses.Select(address => address.ToString())));
}
