using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace AudioStream.NetworkTests;

/// <summary>
/// Other devices on this one machine (../shared/design/NOTES-NETWORK.md): network namespaces joined to this host by
/// veth pairs, each a /24 of its own in 10.N.0.0/16.
/// <list type="bullet">
/// <item><see cref="Laptop"/>: a device on the LAN, talking to the host directly.</item>
/// <item><see cref="BehindNat"/>: a device behind a home router (a namespace doing nft masquerade).</item>
/// <item><see cref="UdpBlocked"/>: a device on a network that drops every UDP packet (only TCP gets out).</item>
/// </list>
/// Names carry this process's id, so a crashed run's leftovers are recognised (their process is gone) and removed
/// by the next run, and two runs never collide. Needs root (CAP_NET_ADMIN).
/// </summary>
internal sealed partial class SimulatedNetwork : IAsyncDisposable
{
    private readonly string _prefix;
    private readonly List<string> _namespaces = [];
    private readonly List<string> _hostLinks = [];

    private SimulatedNetwork(string prefix, int subnet)
    {
        _prefix = prefix;
        Subnet = subnet;
    }

    /// <summary>N in 10.N.0.0/16.</summary>
    public int Subnet { get; }

    public Device Laptop { get; private set; } = null!;

    public Device BehindNat { get; private set; } = null!;

    public Device UdpBlocked { get; private set; } = null!;

    public static async Task<SimulatedNetwork> CreateAsync()
    {
        await RemoveLeftoversAsync();
        var network = new SimulatedNetwork($"as{Environment.ProcessId}", await FreeSubnetAsync());
        try
        {
            network.Laptop = await network.AddDeviceAsync("lan", 1);
            network.BehindNat = await network.AddNattedDeviceAsync("nat", 2, 3);
            network.UdpBlocked = await network.AddDeviceAsync("tcp", 4);
            await DropUdpAsync(network.UdpBlocked);
            return network;
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }
    }

    /// <summary>One more address for the host on the laptop's link (the machine moved to another network).</summary>
    public async Task<IPAddress> AddHostAddressAsync(int lastByte)
    {
        var address = IPAddress.Parse($"10.{Subnet}.1.{lastByte}");
        await Shell.RunAsync("ip", "addr", "add", $"{address}/24", "dev", Laptop.HostLink);
        return address;
    }

    /// <summary>A namespace linked straight to the host: host 10.N.K.1, device 10.N.K.2, default route via the host.</summary>
    private async Task<Device> AddDeviceAsync(string name, int link)
    {
        var space = await AddNamespaceAsync(name);
        var hostLink = await LinkAsync(space, $"{name}0", link);
        await Shell.RunAsync("ip", "netns", "exec", space, "ip", "route", "add", "default", "via", $"10.{Subnet}.{link}.1");
        return new Device(name, space, IPAddress.Parse($"10.{Subnet}.{link}.2"), IPAddress.Parse($"10.{Subnet}.{link}.1"), hostLink);
    }

    /// <summary>A router namespace on link <paramref name="upstream"/> masquerading for a device on link <paramref name="inside"/>.</summary>
    private async Task<Device> AddNattedDeviceAsync(string name, int upstream, int inside)
    {
        var router = await AddDeviceAsync($"{name}r", upstream);
        var space = await AddNamespaceAsync(name);
        var routerSide = $"{_prefix}{name}i";
        await Shell.RunAsync("ip", "link", "add", routerSide, "netns", router.Namespace, "type", "veth", "peer", "name", "eth0", "netns", space);
        await InNamespaceAsync(router.Namespace, "ip", "addr", "add", $"10.{Subnet}.{inside}.1/24", "dev", routerSide);
        await InNamespaceAsync(router.Namespace, "ip", "link", "set", routerSide, "up");
        await InNamespaceAsync(space, "ip", "addr", "add", $"10.{Subnet}.{inside}.2/24", "dev", "eth0");
        await InNamespaceAsync(space, "ip", "link", "set", "eth0", "up");
        await InNamespaceAsync(space, "ip", "route", "add", "default", "via", $"10.{Subnet}.{inside}.1");
        await InNamespaceAsync(router.Namespace, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        await NftAsync(router.Namespace, """
            table ip nat {
              chain postrouting {
                type nat hook postrouting priority srcnat; policy accept;
                oifname "eth0" masquerade
              }
            }
            """);
        // Seen from the host, the device is the router's address; it reaches the host at the router's upstream.
        return new Device(name, space, IPAddress.Parse($"10.{Subnet}.{inside}.2"), router.HostAddress, router.HostLink);
    }

    /// <summary>
    /// Until disposed, <paramref name="device"/>'s network drops TCP to <paramref name="ports"/> of the host (a firewall
    /// that lets TCP out to web ports only): its browser can reach the TURN relay over UDP alone.
    /// </summary>
    public static async Task<IAsyncDisposable> DropTcpToAsync(Device device, params int[] ports)
    {
        await NftAsync(device.Namespace, $$"""
            table inet tcpblock {
              chain output { type filter hook output priority filter; policy accept; ip daddr {{device.HostAddress}} tcp dport { {{string.Join(", ", ports)}} } drop; }
            }
            """);
        return new Rule(() => InNamespaceAsync(device.Namespace, "nft", "delete", "table", "inet", "tcpblock"));
    }

    private sealed class Rule(Func<Task> remove) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await remove();
    }

    private static Task DropUdpAsync(Device device) => NftAsync(device.Namespace, """
        table inet udpblock {
          chain input { type filter hook input priority filter; policy accept; meta l4proto udp drop; }
          chain output { type filter hook output priority filter; policy accept; meta l4proto udp drop; }
        }
        """);

    private async Task<string> AddNamespaceAsync(string name)
    {
        var space = $"{_prefix}-{name}";
        await Shell.RunAsync("ip", "netns", "add", space);
        _namespaces.Add(space);
        await InNamespaceAsync(space, "ip", "link", "set", "lo", "up");
        return space;
    }

    /// <summary>A veth pair: <c>{prefix}{name}</c> on the host (10.N.link.1), <c>eth0</c> in the namespace (10.N.link.2).</summary>
    private async Task<string> LinkAsync(string space, string name, int link)
    {
        var hostLink = $"{_prefix}{name}";
        await Shell.RunAsync("ip", "link", "add", hostLink, "type", "veth", "peer", "name", "eth0", "netns", space);
        _hostLinks.Add(hostLink);
        await Shell.RunAsync("ip", "addr", "add", $"10.{Subnet}.{link}.1/24", "dev", hostLink);
        await Shell.RunAsync("ip", "link", "set", hostLink, "up");
        await InNamespaceAsync(space, "ip", "addr", "add", $"10.{Subnet}.{link}.2/24", "dev", "eth0");
        await InNamespaceAsync(space, "ip", "link", "set", "eth0", "up");
        return hostLink;
    }

    private static Task<string> InNamespaceAsync(string space, params string[] command) =>
        Shell.RunAsync("ip", ["netns", "exec", space, .. command]);

    private static async Task NftAsync(string space, string rules)
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, rules);
            await InNamespaceAsync(space, "nft", "-f", file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>A 10.N.0.0/16 no address or route of this machine uses yet.</summary>
    private static async Task<int> FreeSubnetAsync()
    {
        var used = await Shell.RunAsync("ip", "-4", "-o", "addr", "show") + await Shell.RunAsync("ip", "-4", "route", "show");
        var candidates = Enumerable.Range(64, 180).OrderBy(_ => Random.Shared.Next());
        foreach (var subnet in candidates)
        {
            if (!used.Contains($"10.{subnet}.", StringComparison.Ordinal))
            {
                return subnet;
            }
        }
        throw new InvalidOperationException("No free 10.N.0.0/16 for the simulated network.");
    }

    /// <summary>Namespaces and host links of earlier runs whose process has exited (a crash skips DisposeAsync).</summary>
    private static async Task RemoveLeftoversAsync()
    {
        foreach (Match match in NamespacePattern().Matches(await Shell.RunAsync("ip", "netns", "list")))
        {
            if (!IsAlive(int.Parse(match.Groups["pid"].Value, System.Globalization.CultureInfo.InvariantCulture)))
            {
                await Shell.TryRunAsync("ip", "netns", "del", match.Groups["name"].Value);
            }
        }
        foreach (Match match in LinkPattern().Matches(await Shell.RunAsync("ip", "-o", "link", "show")))
        {
            if (!IsAlive(int.Parse(match.Groups["pid"].Value, System.Globalization.CultureInfo.InvariantCulture)))
            {
                await Shell.TryRunAsync("ip", "link", "del", match.Groups["name"].Value);
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Deleting a namespace deletes the veth ends in it, and with them their host ends.
        foreach (var space in Enumerable.Reverse(_namespaces))
        {
            await Shell.TryRunAsync("ip", "netns", "del", space);
        }
        foreach (var link in _hostLinks)
        {
            await Shell.TryRunAsync("ip", "link", "del", link);
        }
    }

    [GeneratedRegex(@"^(?<name>as(?<pid>\d+)-[a-z]+)\b", RegexOptions.Multiline)]
    private static partial Regex NamespacePattern();

    [GeneratedRegex(@"^\d+: (?<name>as(?<pid>\d+)[a-z]+0)[@:]", RegexOptions.Multiline)]
    private static partial Regex LinkPattern();
}
