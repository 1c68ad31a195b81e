namespace AudioStream.MediaService.Apis;

/// <summary>Configuration section <c>Turn</c>: the relay whose short-lived credentials this service hands out.</summary>
public sealed class TurnOptions
{
    public const string SectionName = "Turn";

    /// <summary>coturn's <c>static-auth-secret</c>. Without it no TURN server is offered.</summary>
    public string? Secret { get; set; }

    /// <summary>TURN over UDP and TCP (also STUN).</summary>
    public int Port { get; set; } = 3478;

    /// <summary>TURN over TLS; 0 = none.</summary>
    public int TlsPort { get; set; } = 5349;

    /// <summary>Host name or address in the URLs; default the host each request came to (through the gateway).</summary>
    public string? PublicHost { get; set; }

    /// <summary>
    /// How long a credential is good for. coturn checks it on every allocation refresh too, so it bounds how long a
    /// relayed connection can last: a day, as the TURN REST draft suggests.
    /// </summary>
    public int CredentialTtlSeconds { get; set; } = 86400;
}
