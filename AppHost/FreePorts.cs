using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace AudioStream.AppHost;

/// <summary>
/// Port 0 in configuration means "any free port" (tests run several AppHosts at once). The port is picked outside
/// the kernel's ephemeral range: a port the kernel hands out (bind to 0) is one it may give the next outgoing
/// connection too, before the service gets to bind it. Outside that range only an explicit bind can take it.
/// </summary>
internal static class FreePorts
{
    /// <summary>The lowest port picked: below it sit the well-known and registered services' usual ports.</summary>
    internal const int Lowest = 10_000;

    private const string EphemeralRangeFile = "/proc/sys/net/ipv4/ip_local_port_range";

    /// <summary>Linux's default ephemeral range, when the kernel cannot be asked.</summary>
    private static readonly (int Low, int High) DefaultEphemeralRange = (32_768, 60_999);

    /// <summary><paramref name="configured"/>, or a port free for both TCP and UDP on every address when it is 0.</summary>
    public static int OrFree(int configured) => configured != 0 ? configured : Pick(EphemeralRange());

    /// <summary>
    /// A port free for TCP and UDP from <see cref="Lowest"/> up to <paramref name="ephemeral"/> (above the range sit
    /// coturn's relay ports, 49152 and up); above the range only when it reaches down to <see cref="Lowest"/>; the
    /// kernel's own pick when it spans everything.
    /// </summary>
    internal static int Pick((int Low, int High) ephemeral)
    {
        var (first, count) = ephemeral.Low > Lowest
            ? (Lowest, ephemeral.Low - Lowest)
            : (ephemeral.High + 1, IPEndPoint.MaxPort - ephemeral.High);
        if (count <= 0)
        {
            return KernelPick();
        }
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = first + Random.Shared.Next(count);
            if (IsFree(port))
            {
                return port;
            }
        }
        throw new InvalidOperationException($"No free port outside the ephemeral range {ephemeral.Low}-{ephemeral.High} after 200 tries.");
    }

    /// <summary>The kernel's range for outgoing connections' local ports (<c>ip_local_port_range</c>).</summary>
    internal static (int Low, int High) EphemeralRange()
    {
        try
        {
            var parts = File.ReadAllText(EphemeralRangeFile).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2
                && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var low)
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var high)
                && low <= high)
            {
                return (low, high);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or /proc hidden: assume the default.
        }
        return DefaultEphemeralRange;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var tcp = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
            tcp.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
            using var udp = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp) { DualMode = true };
            udp.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The kernel's own pick, for a machine whose ephemeral range leaves no room outside it.</summary>
    private static int KernelPick()
    {
        for (var attempt = 0; ; attempt++)
        {
            using var tcp = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
            tcp.Bind(new IPEndPoint(IPAddress.IPv6Any, 0));
            var port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            try
            {
                using var udp = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp) { DualMode = true };
                udp.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
                return port;
            }
            catch (SocketException) when (attempt < 20)
            {
                // Taken for UDP; try another.
            }
        }
    }
}
