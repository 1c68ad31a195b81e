namespace AudioStream.AppHost.Infrastructure;

/// <summary>A coturn TURN/STUN relay run from the machine's own <c>turnserver</c>, configured by a private file.</summary>
public sealed class LocalTurnResource(string name, string dataDirectory, ParameterResource secret, int port, int? tlsPort)
    : ExecutableResource(name, "turnserver", dataDirectory)
{
    /// <summary>The shared secret that signs TURN REST credentials (MediaService signs, coturn checks).</summary>
    public ParameterResource Secret { get; } = secret;

    public string DataDirectory { get; } = dataDirectory;

    /// <summary>TURN over UDP and TCP.</summary>
    public int Port { get; } = port;

    /// <summary>TURN over TLS, or null when there is no PEM certificate to serve it with.</summary>
    public int? TlsPort { get; } = tlsPort;

    public string ConfigFile => Path.Combine(DataDirectory, "turnserver.conf");

    public string PidFile => Path.Combine(DataDirectory, "turnserver.pid");
}
