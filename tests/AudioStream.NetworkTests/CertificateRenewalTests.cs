using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using AudioStream.AppHost.Infrastructure;
using Xunit.Abstractions;

namespace AudioStream.NetworkTests;

/// <summary>
/// The machine gets a new address (it joined another network): the AppHost reissues the certificate with that address,
/// the running gateway serves it without a restart (Kestrel watches the file it was configured with), and TURN
/// restarts listening on the address and allowed to relay to it.
/// </summary>
[Collection(NetworkCollection.Name)]
public sealed class CertificateRenewalTests(NetworkFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [SkippableFact]
    public async Task A_new_address_gets_a_certificate_that_the_running_gateway_serves_and_turn_listens_on_it()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        using var authority = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(fixture.AuthorityCertificate));
        var (before, _) = await ServedCertificateAsync(fixture.Network.Laptop.HostAddress, authority)
            ?? throw new InvalidOperationException($"The gateway refuses HTTPS on {fixture.Network.Laptop.HostAddress}.");

        var added = await fixture.Network.AddHostAddressAsync(77);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        X509Certificate2? after = null;
        var errors = SslPolicyErrors.RemoteCertificateNotAvailable;
        while (clock.Elapsed < Patience && errors != SslPolicyErrors.None)
        {
            await Task.Delay(250);
            after?.Dispose();
            var served = await ServedCertificateAsync(added, authority);
            after = served?.Certificate;
            errors = served?.Errors ?? SslPolicyErrors.RemoteCertificateNotAvailable;
        }
        output.WriteLine($"{added} served with a valid certificate after {clock.Elapsed.TotalSeconds:F1} s ({errors})");

        Assert.Equal(SslPolicyErrors.None, errors);
        Assert.NotEqual(before.Thumbprint, after!.Thumbprint);
        before.Dispose();
        after.Dispose();

        var config = Path.Combine(fixture.DataRoot, "turn", "turnserver.conf");
        var turnPort = fixture.TurnPort;
        var turnAnswers = false;
        while (clock.Elapsed < Patience * 2 && !turnAnswers)
        {
            await Task.Delay(250);
            turnAnswers = File.ReadAllText(config).Contains($"allowed-peer-ip={added}\n", StringComparison.Ordinal)
                && await StunBinding.RoundTripAsync(new IPEndPoint(added, turnPort), TimeSpan.FromSeconds(1));
        }
        output.WriteLine($"TURN relays to and answers on {added} after {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(turnAnswers, $"TURN neither allowed {added} as a peer nor answered STUN there within {Patience * 2}");
    }

    /// <summary>
    /// The certificate the gateway presents at <paramref name="address"/>, checked as a device trusting only our CA does;
    /// null while the port refuses connections (Kestrel rebinds the endpoint when it reloads the certificate).
    /// </summary>
    private async Task<(X509Certificate2 Certificate, SslPolicyErrors Errors)?> ServedCertificateAsync(IPAddress address, X509Certificate2 authority)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(address, fixture.HttpsPort);
        }
        catch (SocketException)
        {
            return null;
        }
        await using var tls = new SslStream(client.GetStream());
        var chainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        chainPolicy.CustomTrustStore.Add(authority);
        var errors = SslPolicyErrors.None;
        X509Certificate2? served = null;
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = address.ToString(),
                CertificateChainPolicy = chainPolicy,
                RemoteCertificateValidationCallback = (_, certificate, _, policyErrors) =>
                {
                    served = certificate is null ? null : new X509Certificate2(certificate);
                    errors = policyErrors;
                    return policyErrors == SslPolicyErrors.None;
                },
            });
        }
        catch (System.Security.Authentication.AuthenticationException)
        {
            // Refused; errors says why.
        }
        return (served ?? throw new InvalidOperationException($"{address} presented no certificate."), errors);
    }
}
