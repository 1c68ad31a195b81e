using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AudioStream.ServiceDefaults.Security;

/// <summary>
/// Service-to-service calls (gRPC) carry a short-lived token protected with the shared Data Protection keys:
/// only a process holding those keys can mint one, and no extra secret has to be distributed. Each token names the
/// calling service and the one it is for (its audience), and a service accepts only tokens addressed to itself, so a
/// token seen by one service cannot be replayed against another.
/// </summary>
public static class ServiceToken
{
    internal const string Purpose = "AudioStream.ServiceToken.v1";

    /// <summary>Configuration key with this service's name as callers address it (the AppHost's resource name).</summary>
    public const string ServiceNameKey = "AudioStream:ServiceName";

    private const char Separator = '\n';

    /// <summary>This process's service name: the AppHost's resource name, else the application's name.</summary>
    public static string OwnName(IConfiguration configuration, IHostEnvironment environment) =>
        configuration[ServiceNameKey] is { Length: > 0 } name ? name : environment.ApplicationName;

    public static string Payload(string caller, string audience) => $"{caller}{Separator}{audience}";

    /// <summary>The caller named in <paramref name="payload"/> when it is addressed to <paramref name="audience"/>.</summary>
    public static string? CallerFor(string payload, string audience) =>
        payload.Split(Separator) is [{ Length: > 0 } _caller, var tokenAudience] && tokenAudience == audience ? _caller : null;
}

public sealed class ServiceTokenIssuer(IDataProtectionProvider provider, IConfiguration configuration, IHostEnvironment environment, TimeProvider time)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly ITimeLimitedDataProtector _protector = provider.CreateProtector(ServiceToken.Purpose).ToTimeLimitedDataProtector();
    private readonly string _caller = ServiceToken.OwnName(configuration, environment);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (string Token, DateTimeOffset RenewAt)> _current = [];

    /// <param name="audience">The called service's name (its AppHost resource name, e.g. <c>social</c>).</param>
    public string GetToken(string audience)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (!_current.TryGetValue(audience, out var token) || now >= token.RenewAt)
            {
                token = (_protector.Protect(ServiceToken.Payload(_caller, audience), Lifetime), now + Lifetime / 2);
                _current[audience] = token;
            }
            return token.Token;
        }
    }
}

/// <summary>Adds a token for <paramref name="audience"/> to every request of the HTTP/gRPC client it is attached to.</summary>
public sealed class ServiceTokenHandler(ServiceTokenIssuer issuer, string audience) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue(ServiceTokenAuthenticationHandler.SchemeName, issuer.GetToken(audience));
        return base.SendAsync(request, cancellationToken);
    }
}

public sealed class ServiceTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IDataProtectionProvider provider,
    IConfiguration configuration,
    IHostEnvironment environment)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Service";
    public const string ServiceNameClaim = "service";

    private readonly ITimeLimitedDataProtector _protector =
        provider.CreateProtector(ServiceToken.Purpose).ToTimeLimitedDataProtector();
    private readonly string _ownName = ServiceToken.OwnName(configuration, environment);

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith(SchemeName + " ", StringComparison.Ordinal))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        string payload;
        try
        {
            payload = _protector.Unprotect(header[(SchemeName.Length + 1)..]);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return Task.FromResult(AuthenticateResult.Fail("Invalid or expired service token."));
        }
        if (ServiceToken.CallerFor(payload, _ownName) is not { } _caller)
        {
            return Task.FromResult(AuthenticateResult.Fail($"The service token is not addressed to '{_ownName}'."));
        }
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ServiceNameClaim, _caller)], SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }
}
