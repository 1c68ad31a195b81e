using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AudioStream.AppHost.Infrastructure;

/// <summary>
/// A real round trip to the relay: a STUN Binding request over UDP (RFC 8489 §6: a 20-byte header, no attributes)
/// must come back as a Binding success response with the same transaction id.
/// </summary>
internal sealed class TurnBindingHealthCheck(LocalTurnResource turn) : IHealthCheck
{
    private const ushort BindingRequest = 0x0001;
    private const ushort BindingSuccessResponse = 0x0101;
    private const uint MagicCookie = 0x2112A442;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var request = new byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(request, BindingRequest);
        BinaryPrimitives.WriteUInt32BigEndian(request.AsSpan(4), MagicCookie);
        RandomNumberGenerator.Fill(request.AsSpan(8, 12));

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            var server = new IPEndPoint(IPAddress.Loopback, turn.Port);
            await socket.SendToAsync(request, server, timeout.Token);
            var response = new byte[1500];
            while (true)
            {
                var received = await socket.ReceiveFromAsync(response, new IPEndPoint(IPAddress.Any, 0), timeout.Token);
                if (received.ReceivedBytes >= 20
                    && BinaryPrimitives.ReadUInt16BigEndian(response) == BindingSuccessResponse
                    && response.AsSpan(8, 12).SequenceEqual(request.AsSpan(8, 12)))
                {
                    return HealthCheckResult.Healthy();
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"No STUN Binding response from 127.0.0.1:{turn.Port} within 2 s.");
        }
        catch (SocketException exception)
        {
            return HealthCheckResult.Unhealthy(exception.Message, exception);
        }
    }
}
