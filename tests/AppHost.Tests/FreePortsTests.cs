using System.Net;
using System.Net.Sockets;

namespace AudioStream.AppHost.Tests;

/// <summary>
/// Ports picked for "0" lie outside the kernel's ephemeral range, where no outgoing connection can take one before
/// the service binds it, and are free for TCP and UDP when picked.
/// </summary>
public sealed class FreePortsTests
{
    [Fact]
    public void A_picked_port_is_below_this_machines_ephemeral_range_and_free_for_tcp_and_udp()
    {
        var (low, _) = FreePorts.EphemeralRange();
        Assert.True(low > FreePorts.Lowest, $"this machine's ephemeral range starts at {low}");
        for (var i = 0; i < 50; i++)
        {
            var port = FreePorts.OrFree(0);
            Assert.InRange(port, FreePorts.Lowest, low - 1);
            using var tcp = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
            tcp.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
            using var udp = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp) { DualMode = true };
            udp.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
        }
    }

    [Fact]
    public void A_range_reaching_down_to_the_lowest_port_leaves_the_ports_above_it()
    {
        for (var i = 0; i < 20; i++)
        {
            Assert.InRange(FreePorts.Pick((1024, 60_999)), 61_000, IPEndPoint.MaxPort);
        }
    }

    [Fact]
    public void A_port_a_server_listens_on_is_not_picked()
    {
        // Only the lowest port is left outside this range: listened on, there is nothing to pick.
        using var taken = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
        try
        {
            taken.Bind(new IPEndPoint(IPAddress.IPv6Any, FreePorts.Lowest));
            taken.Listen();
        }
        catch (SocketException)
        {
            // Something else holds it: taken all the same.
        }
        Assert.Throws<InvalidOperationException>(() => FreePorts.Pick((FreePorts.Lowest + 1, IPEndPoint.MaxPort)));
    }

    [Fact]
    public void A_configured_port_is_kept() => Assert.Equal(8443, FreePorts.OrFree(8443));
}
