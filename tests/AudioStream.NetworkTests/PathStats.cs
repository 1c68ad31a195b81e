namespace AudioStream.NetworkTests;

/// <summary>The selected ICE candidate pair of a connection, as Chromium's getStats() reports it.</summary>
/// <param name="Protocol">The local candidate's transport (for a relay: the relayed side's).</param>
/// <param name="RelayProtocol">For a relay candidate, how the browser reaches the TURN server (udp, tcp, tls).</param>
/// <param name="RoundTripSeconds">The pair's STUN round trip (consent checks; millisecond steps).</param>
internal sealed record PathStats(
    string? LocalType, string? Protocol, string? RelayProtocol, string? LocalAddress, string? RemoteAddress, double? RoundTripSeconds)
{
    /// <summary>Media that never touches UDP on the device: TURN over TCP/TLS, or ICE over TCP (RFC 6544).</summary>
    public bool IsOverTcp => RelayProtocol is "tcp" or "tls" || (LocalType != "relay" && Protocol == "tcp");
}
