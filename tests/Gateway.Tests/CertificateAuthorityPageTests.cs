using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AudioStream.Gateway.Extensions;
using Microsoft.AspNetCore.Http;

namespace AudioStream.Gateway.Tests;

public sealed class CertificateAuthorityPageTests
{
    [Fact]
    public void The_page_links_the_certificate_shows_its_fingerprint_and_covers_every_platform()
    {
        var html = InstallCaPage.Render("AB:CD:EF");

        Assert.Contains("href=\"/ca.crt\"", html, StringComparison.Ordinal);
        Assert.Contains("<code id=\"ca-fingerprint\">AB:CD:EF</code>", html, StringComparison.Ordinal);
        foreach (var platform in new[] { "android", "ios", "macos", "windows", "linux", "firefox" })
        {
            Assert.Contains($"<h2 id=\"{platform}\">", html, StringComparison.Ordinal);
        }
        Assert.Contains("certutil -d sql:$HOME/.pki/nssdb -A -t C,,", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_local_ca_the_page_says_there_is_nothing_to_install()
    {
        var html = InstallCaPage.Render(null);

        Assert.Contains("nothing to install", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/ca.crt", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_fingerprint_is_the_sha256_of_the_certificate_in_colon_hex()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=test", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        var expected = Convert.ToHexString(SHA256.HashData(certificate.RawData));

        var fingerprint = CertificateAuthorityEndpoints.Fingerprint(certificate.ExportCertificatePem());

        Assert.Equal(expected, fingerprint.Replace(":", "", StringComparison.Ordinal));
        Assert.Equal(32, fingerprint.Split(':').Length);
    }

    [Theory]
    [InlineData("192.168.1.20:8080", "/user/alice", "?x=1", "https://192.168.1.20:8443/user/alice?x=1")]
    [InlineData("[fd00::2]:8080", "/", "", "https://[fd00::2]:8443/")]
    [InlineData("myhost", "/login", "", "https://myhost:8443/login")]
    public void Plain_http_is_sent_to_the_same_host_on_the_https_port(string host, string path, string query, string expected)
    {
        var request = new DefaultHttpContext().Request;
        request.Host = new HostString(host);
        request.Path = path;
        request.QueryString = new QueryString(query);

        Assert.Equal(expected, TransportSecurity.HttpsUrl(request, 8443));
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("::ffff:10.0.0.2", false)]
    [InlineData("192.168.1.30", false)]
    public void Loopback_clients_keep_plain_http(string address, bool loopback)
    {
        Assert.Equal(loopback, TransportSecurity.IsLoopback(IPAddress.Parse(address)));
    }
}
