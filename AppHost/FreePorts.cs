using System.Net;
using System.Net.Sockets;

namespace AudioStream.AppHost;

/// <summary>Port 0 in configuration means "any free port" (tests run several AppHosts at once).</summary>
internal static class FreePorts
{
    /// <summary><paramref name="configured"/>, or a port free for both TCP and UDP on every address when it is 0.</summary>
    public static int OrFree(int configured)
    {
        if (configured != 0)
        {
            return configured;
        }
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
