using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace AudioStream.AppHost.Infrastructure;

/// <summary>
/// One STUN Binding round trip over UDP (RFC 8489 §6: a 20-byte header, no attributes): the answer must be a Binding
/// success response with the same transaction id. Proves a STUN/TURN server is really serving, not just bound.
/// </summary>
internal static class StunBinding
{
    private const ushort BindingRequest = 0x0001;
    private const ushort BindingSuccessResponse = 0x0101;
    private const uint MagicCookie = 0x2112A442;

    public static async Task<bool> RoundTripAsync(IPEndPoint server, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var request = new byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(request, BindingRequest);
        BinaryPrimitives.WriteUInt32BigEndian(request.AsSpan(4), MagicCookie);
        RandomNumberGenerator.Fill(request.AsSpan(8, 12));

        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await socket.SendToAsync(request, server, deadline.Token);
            var response = new byte[1500];
            var any = new IPEndPoint(server.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
            while (true)
            {
                var received = await socket.ReceiveFromAsync(response, any, deadline.Token);
                if (received.ReceivedBytes >= 20
                    && BinaryPrimitives.ReadUInt16BigEndian(response) == BindingSuccessResponse
                    && response.AsSpan(8, 12).SequenceEqual(request.AsSpan(8, 12)))
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
