namespace AudioStream.AppHost.Certificates;

/// <summary>
/// The gateway's TLS certificate (also TURN's over TLS): either files the operator configured
/// (<c>Gateway:Certificate:Path</c>, <c>KeyPath</c>, e.g. certbot's <c>fullchain.pem</c> and <c>privkey.pem</c>), or a
/// certificate this AppHost generates from its local CA for <c>localhost</c>, the host name and every address of the
/// machine. Both are read by Kestrel from configuration, so it reloads them when the files change.
/// </summary>
internal sealed class GatewayCertificate
{
    private readonly ServerCertificateFiles? _generated;
    private DateTime _lastWrite;
    private CertificateNames? _checkedNames;
    private DateTimeOffset _nextExpiryCheck;

    private GatewayCertificate(string certificatePath, string? keyPath, string? authorityDirectory, ServerCertificateFiles? generated)
    {
        CertificatePath = certificatePath;
        KeyPath = keyPath;
        AuthorityDirectory = authorityDirectory;
        _generated = generated;
        _lastWrite = LastWriteOf(certificatePath);
    }

    /// <summary>PEM certificate (chain), or a PFX when <see cref="KeyPath"/> is null.</summary>
    public string CertificatePath { get; }

    /// <summary>PEM private key; null for a PFX.</summary>
    public string? KeyPath { get; }

    /// <summary>The PFX's or encrypted key's password (Aspire secret parameter), when one is configured.</summary>
    public ParameterResource? Password { get; init; }

    /// <summary>The local CA's folder when the certificate is generated; null for a configured one.</summary>
    public string? AuthorityDirectory { get; }

    public bool IsGenerated => _generated is not null;

    /// <summary>The CA certificate people install (<c>/ca.crt</c>); null for a configured certificate.</summary>
    public string? AuthorityCertificatePath =>
        AuthorityDirectory is null ? null : Path.Combine(AuthorityDirectory, LocalCertificateAuthority.CertificateFileName);

    public static GatewayCertificate Configured(string certificatePath, string? keyPath, ParameterResource? password) =>
        new(Path.GetFullPath(certificatePath), keyPath is { Length: > 0 } ? Path.GetFullPath(keyPath) : null, null, null) { Password = password };

    /// <summary>Creates the CA (first start) and a current server certificate under <paramref name="directory"/>.</summary>
    public static GatewayCertificate Generate(string directory, CertificateNames names, DateTimeOffset now)
    {
        var files = new ServerCertificateFiles(directory);
        using (var authority = LocalCertificateAuthority.LoadOrCreate(directory, now))
        {
            files.EnsureCurrent(authority, names, now);
        }
        return new GatewayCertificate(files.CertificatePath, files.KeyPath, directory, files);
    }

    /// <summary>
    /// A generated certificate is reissued when the machine's names changed or its end is near; a configured one is
    /// only watched. Returns whether the certificate file changed since the last call (TURN then reloads it).
    /// </summary>
    public bool Refresh(CertificateNames names, DateTimeOffset now)
    {
        // Reading the CA and checking the chain is cheap but not free: only when the names changed, or hourly for expiry.
        if (_generated is not null && AuthorityDirectory is not null
            && (_checkedNames is null || !_checkedNames.SameAs(names) || now >= _nextExpiryCheck))
        {
            using var authority = LocalCertificateAuthority.LoadOrCreate(AuthorityDirectory, now);
            _generated.EnsureCurrent(authority, names, now);
            _checkedNames = names;
            _nextExpiryCheck = now.AddHours(1);
        }
        var write = LastWriteOf(CertificatePath);
        if (write == _lastWrite)
        {
            return false;
        }
        _lastWrite = write;
        return true;
    }

    private static DateTime LastWriteOf(string path) => File.Exists(path) ? File.GetLastWriteTimeUtc(path) : default;
}
