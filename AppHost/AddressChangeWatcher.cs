using System.Diagnostics;
using AudioStream.AppHost.Certificates;
using AudioStream.AppHost.Infrastructure;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AudioStream.AppHost;

/// <summary>
/// Looks at the machine's addresses and the gateway's certificate every <c>Gateway:Certificate:CheckSeconds</c>
/// (60). A generated certificate is reissued when the addresses change (seen twice in a row) or its end nears (Kestrel reloads the file by
/// itself); TURN, which listens on and relays to those addresses, restarts with a fresh config when they change, and
/// reloads the certificate (SIGUSR2) when only that changed (e.g. certbot renewed a configured one).
/// </summary>
internal sealed class AddressChangeWatcher(
    GatewayCertificate certificate, LocalTurnResource? turn, TimeSpan interval, TimeProvider time,
    ResourceCommandService commands, ILogger<AddressChangeWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var names = CertificateNames.ForThisMachine();
        CertificateNames? seen = null;
        using var timer = new PeriodicTimer(interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var current = CertificateNames.ForThisMachine();
                // A change counts once two looks in a row agree: an address that comes and goes between them
                // (DHCP renewal, a link being set up) reissues nothing and restarts nothing.
                var addressesChanged = !current.SameAs(names) && seen is not null && current.SameAs(seen);
                seen = current;
                if (addressesChanged)
                {
                    names = current;
                    logger.LogInformation("The machine's names are now {Names}", names);
                }
                var certificateChanged = certificate.Refresh(names, time.GetUtcNow());
                if (certificateChanged)
                {
                    logger.LogInformation("The gateway's certificate {Path} changed; Kestrel reloads it", certificate.CertificatePath);
                }
                if (turn is null)
                {
                    continue;
                }
                if (addressesChanged)
                {
                    await commands.ExecuteCommandAsync(turn.Name, KnownResourceCommands.RestartCommand, stoppingToken);
                }
                else if (certificateChanged)
                {
                    await ReloadTurnCertificateAsync(turn, stoppingToken);
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException
                or System.Security.Cryptography.CryptographicException or InvalidOperationException)
            {
                logger.LogWarning(exception, "Checking the machine's addresses and certificate failed; trying again in {Interval}", interval);
            }
        }
    }

    /// <summary>coturn re-reads its certificate and key on SIGUSR2, keeping every allocation.</summary>
    private static async Task ReloadTurnCertificateAsync(LocalTurnResource relay, CancellationToken cancellationToken)
    {
        if (!File.Exists(relay.PidFile) || !int.TryParse((await File.ReadAllTextAsync(relay.PidFile, cancellationToken)).Trim(), out var pid))
        {
            return;
        }
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-USR2", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false });
        if (kill is not null)
        {
            await kill.WaitForExitAsync(cancellationToken);
        }
    }
}
