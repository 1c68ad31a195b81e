using System.Text.Encodings.Web;
using AudioStream.ServiceDefaults.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AudioStream.IdentityService.Tests;

/// <summary>Tokens name the calling service and their audience; a service accepts only tokens addressed to it.</summary>
public sealed class ServiceTokenTests
{
    private readonly EphemeralDataProtectionProvider _keys = new();
    private readonly HostingEnvironment _environment = new() { ApplicationName = "AudioStream.Tests" };

    [Fact]
    public async Task A_token_for_this_service_authenticates_its_caller()
    {
        var token = Issuer("social").GetToken("identity");

        var result = await AuthenticateAsync("identity", token);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal("social", result.Principal!.FindFirst(ServiceTokenAuthenticationHandler.ServiceNameClaim)?.Value);
    }

    [Fact]
    public async Task A_token_addressed_to_another_service_is_refused()
    {
        var token = Issuer("social").GetToken("media");

        var result = await AuthenticateAsync("identity", token);

        Assert.False(result.Succeeded);
        Assert.Contains("not addressed to 'identity'", result.Failure?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tokens_for_different_audiences_differ_and_each_is_reused_while_fresh()
    {
        var issuer = Issuer("recordings");

        Assert.NotEqual(issuer.GetToken("media"), issuer.GetToken("social"));
        Assert.Equal(issuer.GetToken("media"), issuer.GetToken("media"));
    }

    private ServiceTokenIssuer Issuer(string ownName) => new(_keys, Named(ownName), _environment, TimeProvider.System);

    private async Task<AuthenticateResult> AuthenticateAsync(string ownName, string token)
    {
        var monitor = new OptionsMonitor<AuthenticationSchemeOptions>(
            new OptionsFactory<AuthenticationSchemeOptions>([], []), [], new OptionsCache<AuthenticationSchemeOptions>());
        var handler = new ServiceTokenAuthenticationHandler(monitor, NullLoggerFactory.Instance, UrlEncoder.Default, _keys, Named(ownName), _environment);
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = $"{ServiceTokenAuthenticationHandler.SchemeName} {token}";
        await handler.InitializeAsync(
            new AuthenticationScheme(ServiceTokenAuthenticationHandler.SchemeName, null, typeof(ServiceTokenAuthenticationHandler)), context);
        return await handler.AuthenticateAsync();
    }

    private static IConfiguration Named(string serviceName) => new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { [ServiceToken.ServiceNameKey] = serviceName })
        .Build();
}
