using System.Net;
using Microsoft.Extensions.Options;

namespace AudioStream.Gateway.Extensions;

/// <summary>
/// Browsers on other machines get the microphone only over HTTPS, so plain HTTP from any address but loopback is
/// redirected to the HTTPS port (except the CA download and its instructions, which a device needs before it trusts
/// that port), and HTTPS answers carry HSTS. <c>http://localhost</c> stays as it is: it is a secure context already,
/// and HSTS for a host name covers every port of it.
/// </summary>
internal static class TransportSecurity
{
    /// <summary>Reachable over plain HTTP from anywhere: what a device needs before it trusts our certificate.</summary>
    private static readonly PathString[] BeforeTrustPaths = [CertificateAuthorityEndpoints.CertificatePath, CertificateAuthorityEndpoints.InstructionsPath];

    public static void AddTransportSecurity(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<GatewayOptions>(builder.Configuration.GetSection(GatewayOptions.SectionName));
        // Default excluded hosts: localhost, 127.0.0.1, [::1].
        builder.Services.AddHsts(options => options.MaxAge = TimeSpan.FromDays(365));
    }

    public static WebApplication UseTransportSecurity(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        app.Use((context, next) =>
        {
            if (!context.Request.IsHttps && options.HttpsPort > 0 && !IsLoopback(context.Connection.RemoteIpAddress)
                && !BeforeTrustPaths.Any(path => context.Request.Path.Equals(path, StringComparison.OrdinalIgnoreCase)))
            {
                context.Response.Redirect(HttpsUrl(context.Request, options.HttpsPort), permanent: false, preserveMethod: true);
                return Task.CompletedTask;
            }
            return next(context);
        });
        app.UseHsts();
        return app;
    }

    /// <summary>The same resource on the HTTPS port of the host the browser addressed.</summary>
    public static string HttpsUrl(HttpRequest request, int httpsPort) =>
        $"https://{new HostString(request.Host.Host, httpsPort)}{request.PathBase}{request.Path}{request.QueryString}";

    public static bool IsLoopback(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
}
