namespace AudioStream.AppHost.Infrastructure;

/// <summary>AppHost configuration section <c>Turn</c>: the coturn relay the AppHost runs.</summary>
internal sealed class TurnSettings
{
    public const string SectionName = "Turn";

    /// <summary>Run coturn (needs <c>turnserver</c>, which ./run.sh installs).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>TURN over UDP and TCP; 0 takes a free port at start-up (tests).</summary>
    public int Port { get; set; } = 3478;

    /// <summary>TURN over TLS (with the gateway's certificate); 0 takes a free port at start-up.</summary>
    public int TlsPort { get; set; } = 5349;

    /// <summary>Ports of relayed allocations (coturn's min-port/max-port).</summary>
    public int RelayMinPort { get; set; } = 49152;

    public int RelayMaxPort { get; set; } = 65535;

    public string Realm { get; set; } = "audiostream";

    /// <summary>Lets the relay reach loopback media addresses: only for tests that advertise 127.0.0.1.</summary>
    public bool AllowLoopbackPeers { get; set; }

    /// <summary>coturn logs every request it handles (allocations, refreshes, permissions), not only sessions' ends.</summary>
    public bool Verbose { get; set; }

    /// <summary>The host name or address browsers use for TURN; default the one each request came to.</summary>
    public string? PublicHost { get; set; }
}
