using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AudioStream.ServiceDefaults.Security;

/// <summary>
/// Service-to-service calls (gRPC) carry a short-lived token protected with the shared Data Protection keys:
/// only a process holding those keys can mint one, and no extra secret has to be distributed.
/// </summary>
public sealed class ServiceTokenIssuer(IDataProtectionProvider provider, IHostEnvironment environment, TimeProvider time)
{
    internal const string Purpose = "AudioStream.ServiceToken.v1";
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly ITimeLimitedDataProtector protector = provider.CreateProtector(Purpose).ToTimeLimitedDataProtector();
    private readonly Lock gate = new();
    private (string Token, DateTimeOffset RenewAt) current;

    public string GetToken()
    {
        lock (gate)
        {
            var now = time.GetUtcNow();
            if (current.Token is null || now >= current.RenewAt)
            {
                current = (protector.Protect(environment.ApplicationName, Lifetime), now + Lifetime / 2);
            }
            return current.Token;
        }
    }
}

/// <summary>Adds the service token to every request of the HTTP/gRPC client it is attached to.</summary>
public sealed class ServiceTokenHandler(ServiceTokenIssuer issuer) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue(ServiceTokenAuthenticationHandler.SchemeName, issuer.GetToken());
        return base.SendAsync(request, cancellationToken);
    }
}

public sealed class ServiceTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IDataProtectionProvider provider)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Service";
    public const string ServiceNameClaim = "service";

    private readonly ITimeLimitedDataProtector protector =
        provider.CreateProtector(ServiceTokenIssuer.Purpose).ToTimeLimitedDataProtector();

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith(SchemeName + " ", StringComparison.Ordinal))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        try
        {
            var service = protector.Unprotect(header[(SchemeName.Length + 1)..]);
            var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ServiceNameClaim, service)], SchemeName));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return Task.FromResult(AuthenticateResult.Fail("Invalid or expired service token."));
        }
    }
}
