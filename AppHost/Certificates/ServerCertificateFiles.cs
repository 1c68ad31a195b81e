using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AudioStream.AppHost.Certificates;

/// <summary>
/// The generated server certificate as PEM files beside the CA: <c>gateway.crt</c> and <c>gateway.key</c> (owner only).
/// The key is made once and kept, so a renewal replaces one file in one rename and Kestrel, which watches the
/// certificate file, never sees a certificate with the wrong key.
/// </summary>
internal sealed class ServerCertificateFiles(string directory)
{
    public const string CertificateFileName = "gateway.crt";
    public const string KeyFileName = "gateway.key";

    /// <summary>Apple devices refuse server certificates valid for longer than 825 days; browsers cap public ones at 398.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(397);

    /// <summary>A certificate this close to its end is replaced.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    public string CertificatePath { get; } = Path.Combine(directory, CertificateFileName);

    public string KeyPath { get; } = Path.Combine(directory, KeyFileName);

    /// <summary>
    /// Keeps the current certificate when <paramref name="authority"/> issued it for exactly <paramref name="names"/>
    /// and it is valid for longer than <see cref="RenewBefore"/>; otherwise issues a new one. Returns whether it wrote one.
    /// </summary>
    public bool EnsureCurrent(LocalCertificateAuthority authority, CertificateNames names, DateTimeOffset now)
    {
        using var key = LoadOrCreateKey();
        if (IsCurrent(authority, key, names, now))
        {
            return false;
        }

        using var certificate = authority.Issue(key, names, now.AddMinutes(-5), now.Add(Lifetime));
        PrivateFiles.WriteReplacing(CertificatePath, certificate.ExportCertificatePem(), PrivateFiles.PublicMode);
        return true;
    }

    /// <summary>The names a certificate file is valid for (its subject alternative names), or null when there is none.</summary>
    public static CertificateNames? NamesOf(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        return extension is null ? null : new CertificateNames(
            extension.EnumerateDnsNames().Order(StringComparer.Ordinal).ToList(),
            extension.EnumerateIPAddresses().Order(MachineAddresses.AddressOrder.Instance).ToList());
    }

    private bool IsCurrent(LocalCertificateAuthority authority, ECDsa key, CertificateNames names, DateTimeOffset now)
    {
        if (!File.Exists(CertificatePath))
        {
            return false;
        }
        try
        {
            using var existing = X509Certificate2.CreateFromPem(File.ReadAllText(CertificatePath));
            using var publicKey = existing.GetECDsaPublicKey();
            return publicKey is not null
                && publicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo())
                && authority.Issued(existing)
                && NamesOf(existing) is { } current && current.SameAs(names)
                && existing.NotBefore.ToUniversalTime() <= now.UtcDateTime
                && existing.NotAfter.ToUniversalTime() - now.UtcDateTime > RenewBefore;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private ECDsa LoadOrCreateKey()
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        if (File.Exists(KeyPath))
        {
            try
            {
                key.ImportFromPem(File.ReadAllText(KeyPath));
                return key;
            }
            catch (Exception exception) when (exception is CryptographicException or ArgumentException)
            {
                // Unreadable: replace it below (a new certificate follows, since the old one no longer matches).
            }
        }
        key.Dispose();
        key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        PrivateFiles.WriteReplacing(KeyPath, key.ExportPkcs8PrivateKeyPem());
        return key;
    }
}
