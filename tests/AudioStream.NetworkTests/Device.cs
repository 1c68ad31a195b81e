using System.Net;

namespace AudioStream.NetworkTests;

/// <summary>A simulated device: its namespace, its own address, and the host's address as it reaches the host.</summary>
/// <param name="HostLink">The host-side interface of the link the device (or its router) hangs on.</param>
internal sealed record Device(string Name, string Namespace, IPAddress Address, IPAddress HostAddress, string HostLink);
