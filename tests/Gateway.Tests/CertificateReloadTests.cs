using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace AudioStream.Gateway.Tests;

/// <summary>
/// Kestrel configured the way the AppHost configures the gateway (<c>Kestrel:Endpoints:https:Certificate:Path</c> and
/// <c>KeyPath</c>) picks up a renewed certificate without a restart, also when the files are certbot's symlinks
/// (<c>live/fullchain.pem</c> → <c>archive/fullchain2.pem</c>) that a renewal points somewhere new.
/// </summary>
public sealed class CertificateReloadTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("audiostream-kestrel-").FullName;

    [Fact]
    public async Task A_renewed_certificate_behind_certbot_style_symlinks_is_served_without_a_restart()
    {
        var live = Directory.CreateDirectory(Path.Combine(_folder, "live")).FullName;
        var first = WriteCertificatePair("archive1");
        File.CreateSymbolicLink(Path.Combine(live, "fullchain.pem"), first.Certificate);
        File.CreateSymbolicLink(Path.Combine(live, "privkey.pem"), first.Key);
        var port = FreeTcpPort();

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:https:Url"] = $"https://127.0.0.1:{port}",
            ["Kestrel:Endpoints:https:Certificate:Path"] = Path.Combine(live, "fullchain.pem"),
            ["Kestrel:Endpoints:https:Certificate:KeyPath"] = Path.Combine(live, "privkey.pem"),
        });
        await using var app = builder.Build();
        app.MapGet("/", () => "ok");
        await app.StartAsync();

        Assert.Equal(first.Thumbprint, await ServedThumbprintAsync(port));

        // certbot renew: new files in archive/, then the live/ links are replaced.
        var second = WriteCertificatePair("archive2");
        ReplaceLink(Path.Combine(live, "privkey.pem"), second.Key);
        ReplaceLink(Path.Combine(live, "fullchain.pem"), second.Certificate);

        // Kestrel rebinds the endpoint to switch certificates: for a moment the port refuses connections.
        var served = first.Thumbprint;
        var refused = 0;
        for (var waited = 0; waited < 100 && served != second.Thumbprint; waited++)
        {
            await Task.Delay(100);
            try
            {
                served = await ServedThumbprintAsync(port);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused && ++refused < 20)
            {
            }
        }
        Assert.Equal(second.Thumbprint, served);
        await app.StopAsync();
    }

    private (string Certificate, string Key, string Thumbprint) WriteCertificatePair(string name)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_folder, name)).FullName;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
        var certificatePath = Path.Combine(directory, "fullchain.pem");
        var keyPath = Path.Combine(directory, "privkey.pem");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath, certificate.Thumbprint);
    }

    private static void ReplaceLink(string link, string target)
    {
        var temporary = link + ".new";
        File.CreateSymbolicLink(temporary, target);
        File.Move(temporary, link, overwrite: true);
    }

    private static async Task<string?> ServedThumbprintAsync(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        await using var tls = new SslStream(client.GetStream());
        string? thumbprint = null;
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            // Which of the two certificates is served is the question here, not whether it is trusted.
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                thumbprint = certificate?.GetCertHashString();
                return thumbprint is not null;
            },
        };
        await tls.AuthenticateAsClientAsync(options);
        return thumbprint;
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
