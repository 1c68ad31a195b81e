using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace AudioStream.Gateway.Extensions;

/// <summary>
/// <c>/ca.crt</c>: the local CA's certificate, when the AppHost generated our server certificate from it (a configured
/// certificate from a public CA needs nothing installed: 404). <c>/install-ca</c>: how a person trusts it.
/// </summary>
internal static class CertificateAuthorityEndpoints
{
    public const string CertificatePath = "/ca.crt";
    public const string InstructionsPath = "/install-ca";
    public const string CertificateContentType = "application/x-x509-ca-cert";

    public static WebApplication MapCertificateAuthority(this WebApplication app)
    {
        app.MapGet(CertificatePath, (IOptions<GatewayOptions> options, HttpContext context) =>
            {
                if (ReadCertificate(options.Value) is not { } pem)
                {
                    return Results.Problem(statusCode: StatusCodes.Status404NotFound,
                        title: "This server's certificate comes from a public authority; there is nothing to install.");
                }
                context.Response.Headers.CacheControl = "no-cache";
                return Results.File(System.Text.Encoding.ASCII.GetBytes(pem), CertificateContentType, "audiostream-ca.crt");
            })
            .ExcludeFromDescription();
        app.MapGet(InstructionsPath, (IOptions<GatewayOptions> options, HttpContext context) =>
            {
                context.Response.Headers.CacheControl = "no-cache";
                var pem = ReadCertificate(options.Value);
                return Results.Content(InstallCaPage.Render(pem is null ? null : Fingerprint(pem)), "text/html; charset=utf-8");
            })
            .ExcludeFromDescription();
        return app;
    }

    /// <summary>SHA-256 of the certificate, as browsers and key chains show it (AB:CD:…), so a person can compare.</summary>
    public static string Fingerprint(string pem)
    {
        using var certificate = X509Certificate2.CreateFromPem(pem);
        return string.Join(':', certificate.GetCertHash(HashAlgorithmName.SHA256).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static string? ReadCertificate(GatewayOptions options) =>
        options.CaCertificatePath is { Length: > 0 } path && File.Exists(path) ? File.ReadAllText(path) : null;
}
