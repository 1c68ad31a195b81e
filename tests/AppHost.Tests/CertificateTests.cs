using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using AudioStream.AppHost.Certificates;

namespace AudioStream.AppHost.Tests;

/// <summary>The local CA and the gateway certificate it issues, on real files in a temporary folder.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CertificateTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly CertificateNames Names = CertificateNames.For("myhost", [IPAddress.Loopback, IPAddress.Parse("192.168.1.20"), IPAddress.Parse("fd00::2")]);

    private readonly string _folder = Directory.CreateTempSubdirectory("audiostream-certificates-").FullName;

    [Fact]
    public void The_certificate_names_localhost_the_host_and_every_address()
    {
        var certificate = GatewayCertificate.Generate(_folder, Names, Now);

        using var issued = X509Certificate2.CreateFromPemFile(certificate.CertificatePath, certificate.KeyPath);
        var names = ServerCertificateFiles.NamesOf(issued)!;
        Assert.Equal(["localhost", "myhost"], names.DnsNames);
        Assert.Equal([IPAddress.Loopback, IPAddress.Parse("192.168.1.20"), IPAddress.Parse("fd00::2")], names.Addresses);
        Assert.True(issued.HasPrivateKey);
        Assert.Equal("1.3.6.1.5.5.7.3.1", Assert.Single(issued.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>()).Value);
        Assert.False(issued.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
    }

    [Fact]
    public void It_lasts_397_days_and_the_ca_ten_years()
    {
        var certificate = GatewayCertificate.Generate(_folder, Names, Now);

        using var issued = X509Certificate2.CreateFromPem(File.ReadAllText(certificate.CertificatePath));
        using var authority = X509Certificate2.CreateFromPem(File.ReadAllText(certificate.AuthorityCertificatePath!));
        Assert.Equal(Now.AddDays(397).UtcDateTime, issued.NotAfter.ToUniversalTime(), TimeSpan.FromSeconds(1));
        Assert.True(issued.NotBefore.ToUniversalTime() <= Now.UtcDateTime);
        Assert.Equal(Now.AddDays(3650).UtcDateTime, authority.NotAfter.ToUniversalTime(), TimeSpan.FromSeconds(1));
        var constraints = authority.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.True(constraints.CertificateAuthority);
        Assert.Equal(0, constraints.PathLengthConstraint);
    }

    [Fact]
    public void The_private_keys_are_readable_by_their_owner_only()
    {
        var certificate = GatewayCertificate.Generate(_folder, Names, Now);

        Assert.Equal(PrivateFiles.PrivateMode, File.GetUnixFileMode(Path.Combine(_folder, LocalCertificateAuthority.KeyFileName)));
        Assert.Equal(PrivateFiles.PrivateMode, File.GetUnixFileMode(certificate.KeyPath!));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_folder));
        Assert.Equal(PrivateFiles.PublicMode, File.GetUnixFileMode(certificate.AuthorityCertificatePath!));
    }

    [Fact]
    public void An_unchanged_machine_keeps_its_certificate_and_ca()
    {
        var first = GatewayCertificate.Generate(_folder, Names, Now);
        var pem = File.ReadAllText(first.CertificatePath);
        var ca = File.ReadAllText(first.AuthorityCertificatePath!);

        var again = GatewayCertificate.Generate(_folder, CertificateNames.For("myhost", Names.Addresses.Reverse()), Now.AddDays(100));

        Assert.Equal(pem, File.ReadAllText(again.CertificatePath));
        Assert.Equal(ca, File.ReadAllText(again.AuthorityCertificatePath!));
        Assert.False(again.Refresh(Names, Now.AddDays(100)));
    }

    [Fact]
    public void A_new_address_gets_a_new_certificate_from_the_same_ca_with_the_same_key()
    {
        var certificate = GatewayCertificate.Generate(_folder, Names, Now);
        var before = File.ReadAllText(certificate.CertificatePath);
        var key = File.ReadAllText(certificate.KeyPath!);
        var moved = CertificateNames.For("myhost", [IPAddress.Loopback, IPAddress.Parse("192.168.1.77")]);

        Assert.True(certificate.Refresh(moved, Now.AddMinutes(1)));

        using var issued = X509Certificate2.CreateFromPemFile(certificate.CertificatePath, certificate.KeyPath);
        Assert.NotEqual(before, File.ReadAllText(certificate.CertificatePath));
        Assert.Equal(key, File.ReadAllText(certificate.KeyPath!));
        Assert.True(ServerCertificateFiles.NamesOf(issued)!.SameAs(moved));
        using var authority = LocalCertificateAuthority.LoadOrCreate(_folder, Now);
        Assert.True(authority.Issued(issued));
    }

    [Fact]
    public void A_certificate_is_renewed_thirty_days_before_it_ends()
    {
        var certificate = GatewayCertificate.Generate(_folder, Names, Now);

        Assert.False(certificate.Refresh(Names, Now.AddDays(397 - 31)));
        Assert.True(certificate.Refresh(Names, Now.AddDays(397 - 29)));

        using var renewed = X509Certificate2.CreateFromPem(File.ReadAllText(certificate.CertificatePath));
        Assert.Equal(Now.AddDays(397 - 29 + 397).UtcDateTime, renewed.NotAfter.ToUniversalTime(), TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void A_certificate_from_another_ca_is_replaced()
    {
        var certificate = GatewayCertificate.Generate(_folder, Names, Now);
        File.Delete(Path.Combine(_folder, LocalCertificateAuthority.CertificateFileName));
        File.Delete(Path.Combine(_folder, LocalCertificateAuthority.KeyFileName));

        Assert.True(certificate.Refresh(Names, Now.AddMinutes(1)));

        using var issued = X509Certificate2.CreateFromPem(File.ReadAllText(certificate.CertificatePath));
        using var authority = LocalCertificateAuthority.LoadOrCreate(_folder, Now);
        Assert.True(authority.Issued(issued));
    }

    /// <summary>A real TLS handshake for 192.168.1.20 that trusts nothing but the CA, as a device that installed it does.</summary>
    [Fact]
    public async Task A_client_that_trusts_the_ca_accepts_the_server_for_each_name()
    {
        var certificate = GatewayCertificate.Generate(_folder, Names, DateTimeOffset.UtcNow);
        using var serverCertificate = X509Certificate2.CreateFromPemFile(certificate.CertificatePath, certificate.KeyPath);
        using var authority = X509Certificate2.CreateFromPem(File.ReadAllText(certificate.AuthorityCertificatePath!));

        foreach (var name in new[] { "localhost", "myhost", "192.168.1.20", "fd00::2" })
        {
            Assert.Equal(SslPolicyErrors.None, await HandshakeAsync(serverCertificate, authority, name));
        }
        Assert.Equal(SslPolicyErrors.RemoteCertificateNameMismatch, await HandshakeAsync(serverCertificate, authority, "192.168.1.99"));
    }

    private static async Task<SslPolicyErrors> HandshakeAsync(X509Certificate2 serverCertificate, X509Certificate2 authority, string targetHost)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serverSide = Task.Run(async () =>
        {
            using var accepted = await listener.AcceptTcpClientAsync();
            await using var tls = new SslStream(accepted.GetStream());
            try
            {
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = serverCertificate });
            }
            catch (Exception exception) when (exception is System.Security.Authentication.AuthenticationException or IOException)
            {
                // The client refused us: that is what the mismatch case expects.
            }
        });

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        var errors = SslPolicyErrors.None;
        await using (var tls = new SslStream(client.GetStream()))
        {
            var chainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            chainPolicy.CustomTrustStore.Add(authority);
            try
            {
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = targetHost,
                    CertificateChainPolicy = chainPolicy,
                    RemoteCertificateValidationCallback = (_, _, _, policyErrors) =>
                    {
                        errors = policyErrors;
                        return policyErrors == SslPolicyErrors.None;
                    },
                });
            }
            catch (System.Security.Authentication.AuthenticationException)
            {
                // Refused: errors says why.
            }
        }
        await serverSide;
        return errors;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
