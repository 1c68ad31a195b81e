using System.Net;
using System.Runtime.Versioning;
using AudioStream.AppHost.Certificates;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AudioStream.AppHost.Infrastructure;

/// <summary>
/// coturn as a local process (Debian's <c>coturn</c>): TURN over UDP and TCP, and over TLS with the gateway's
/// certificate. Its shared secret is a generated Aspire secret parameter that reaches coturn through a private
/// config file (never the command line) and MediaService through its environment.
/// </summary>
[SupportedOSPlatform("linux")]
public static class LocalTurnExtensions
{
    internal static IResourceBuilder<LocalTurnResource> AddLocalTurn(
        this IDistributedApplicationBuilder builder, string name, string dataRoot, GatewayCertificate certificate)
    {
        var settings = builder.Configuration.GetSection(TurnSettings.SectionName).Get<TurnSettings>() ?? new TurnSettings();
        var secret = builder.AddParameter($"{name}-secret", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);
        // TLS needs PEM files (coturn reads no PFX).
        int? tlsPort = certificate.KeyPath is null ? null : FreePorts.OrFree(settings.TlsPort);
        var turn = new LocalTurnResource(name, LocalInfrastructureExtensions.CreateDirectory(Path.Combine(dataRoot, name)),
            secret.Resource, FreePorts.OrFree(settings.Port), tlsPort);

        var healthCheckKey = $"{name}_stun_binding";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckKey, _ => new TurnBindingHealthCheck(turn), HealthStatus.Unhealthy, tags: null, timeout: TimeSpan.FromSeconds(5)));

        // Written at every start: the machine's addresses (where coturn listens, where media may be relayed) can change.
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(turn, async (_, cancellationToken) =>
        {
            var configuration = builder.Configuration;
            PrivateFiles.WriteReplacing(turn.ConfigFile, TurnServerConfiguration.Write(
                settings, turn.Port, turn.TlsPort,
                await secret.Resource.GetValueAsync(cancellationToken) ?? throw new InvalidOperationException("No TURN secret."),
                turn.DataDirectory,
                MediaAddresses(configuration["Media:AdvertisedAddress"], configuration["Media:PublicAddress"]),
                certificate.CertificatePath, certificate.KeyPath,
                certificate.Password is null ? null : await certificate.Password.GetValueAsync(cancellationToken),
                TurnServerConfiguration.AddressOrNull(configuration["Media:PublicAddress"])?.ToString()));
        });

        return builder.AddResource(turn)
            .WithArgs("-c", turn.ConfigFile)
            .WithHealthCheck(healthCheckKey);
    }

    /// <summary>
    /// Where the relay may send: the media node's addresses. MediaService runs on this machine, so those are the
    /// machine's addresses (what <c>WebRtc:AdvertisedAddress=auto</c> offers), plus configured literal addresses.
    /// </summary>
    private static IEnumerable<IPAddress> MediaAddresses(params string?[] configured) =>
        MachineAddresses.Current().Concat(configured.Select(TurnServerConfiguration.AddressOrNull).OfType<IPAddress>());
}
