namespace AudioStream.NetworkTests;

/// <summary>The selected ICE candidate pair of a connection, as Chromium's getStats() reports it.</summary>
/// <param name="RoundTripSeconds">The pair's STUN round trip (consent checks; millisecond steps).</param>
internal sealed record PathStats(string? LocalType, string? RelayProtocol, string? LocalAddress, string? RemoteAddress, double? RoundTripSeconds);
