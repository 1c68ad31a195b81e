using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AudioStream.AppHost.Certificates;

/// <summary>
/// A certificate authority of this installation, kept under the data folder (<c>ca.crt</c>, and <c>ca.key</c> readable
/// by its owner only). People trust its certificate once on each device (the gateway serves it at <c>/ca.crt</c>);
/// it signs the gateway's server certificate. Its key never leaves this folder.
/// </summary>
internal sealed class LocalCertificateAuthority : IDisposable
{
    public const string CertificateFileName = "ca.crt";
    public const string KeyFileName = "ca.key";
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(3650);

    private LocalCertificateAuthority(X509Certificate2 certificate, string certificatePath)
    {
        Certificate = certificate;
        CertificatePath = certificatePath;
    }

    /// <summary>The CA certificate with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    public string CertificatePath { get; }

    /// <summary>Loads the CA from <paramref name="directory"/>, or creates it there on first use (or when it has expired).</summary>
    public static LocalCertificateAuthority LoadOrCreate(string directory, DateTimeOffset now)
    {
        PrivateFiles.CreateDirectory(directory);
        var certificatePath = Path.Combine(directory, CertificateFileName);
        var keyPath = Path.Combine(directory, KeyFileName);
        if (File.Exists(certificatePath) && File.Exists(keyPath))
        {
            var existing = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            if (existing.NotAfter.ToUniversalTime() > now.UtcDateTime.AddDays(30))
            {
                return new LocalCertificateAuthority(existing, certificatePath);
            }
            existing.Dispose();
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var name = $"AudioStream local CA ({Dns.GetHostName()}, {now:yyyy-MM-dd})";
        var request = new CertificateRequest(new X500DistinguishedName($"CN=\"{name.Replace("\"", "", StringComparison.Ordinal)}\", O=AudioStream"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now.Add(Lifetime));

        PrivateFiles.WriteReplacing(keyPath, key.ExportPkcs8PrivateKeyPem());
        PrivateFiles.WriteReplacing(certificatePath, created.ExportCertificatePem(), PrivateFiles.PublicMode);
        return new LocalCertificateAuthority(X509Certificate2.CreateFromPemFile(certificatePath, keyPath), certificatePath);
    }

    /// <summary>A TLS server certificate for <paramref name="names"/> with <paramref name="key"/>, signed by this CA.</summary>
    public X509Certificate2 Issue(ECDsa key, CertificateNames names, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var subject = names.DnsNames.FirstOrDefault(name => name != "localhost") ?? "localhost";
        var request = new CertificateRequest(new X500DistinguishedName($"CN={subject}, O=AudioStream"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var alternativeNames = new SubjectAlternativeNameBuilder();
        foreach (var dnsName in names.DnsNames)
        {
            alternativeNames.AddDnsName(dnsName);
        }
        foreach (var address in names.Addresses)
        {
            alternativeNames.AddIpAddress(address);
        }
        request.CertificateExtensions.Add(alternativeNames.Build(critical: false));

        // Never after the CA itself.
        var until = notAfter < Certificate.NotAfter ? notAfter : new DateTimeOffset(Certificate.NotAfter.ToUniversalTime());
        return request.Create(Certificate, notBefore, until, RandomNumberGenerator.GetBytes(16));
    }

    /// <summary>Whether <paramref name="certificate"/> was signed by this CA (its signature verifies with our key).</summary>
    public bool Issued(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid;
        return chain.Build(certificate) && chain.ChainElements[^1].Certificate.RawDataMemory.Span.SequenceEqual(Certificate.RawDataMemory.Span);
    }

    public void Dispose() => Certificate.Dispose();
}
