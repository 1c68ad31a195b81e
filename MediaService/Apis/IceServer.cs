using System.Text.Json.Serialization;

namespace AudioStream.MediaService.Apis;

/// <summary>An RTCIceServer (W3C WebRTC §4.2.2) as the page passes it to <c>new RTCPeerConnection({ iceServers })</c>.</summary>
public sealed record IceServer(
    IReadOnlyList<string> Urls,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Username = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Credential = null);

/// <summary><c>GET /api/media/ice-servers</c>: the servers and how long their credentials last.</summary>
public sealed record IceServersResponse(IReadOnlyList<IceServer> IceServers, int TtlSeconds);
