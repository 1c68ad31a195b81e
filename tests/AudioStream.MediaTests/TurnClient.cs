using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using AudioStream.MediaService.WebRtc.Stun;

namespace AudioStream.MediaTests;

/// <summary>
/// A TURN client (RFC 8656) just big enough to try the relay's door: Allocate with the long-term credential mechanism
/// (an unauthenticated request earns a 401 with REALM and NONCE; the retry carries USERNAME, REALM, NONCE and
/// MESSAGE-INTEGRITY keyed by MD5(username:realm:password)), then CreatePermission towards a peer.
/// </summary>
internal sealed class TurnClient : IDisposable
{
    private const ushort AllocateRequest = 0x0003;
    private const ushort CreatePermissionRequest = 0x0008;
    private const ushort SendIndication = 0x0016;
    private const ushort DataIndication = 0x0017;
    private const ushort Data = 0x0013;
    private const ushort SuccessClass = 0x0100;
    private const ushort ErrorClass = 0x0110;
    private const ushort XorPeerAddress = 0x0012;
    private const ushort XorRelayedAddress = 0x0016;
    private const ushort Realm = 0x0014;
    private const ushort Nonce = 0x0015;
    private const ushort RequestedTransport = 0x0019;
    private const byte Udp = 17;

    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly IPEndPoint _server;
    private readonly string _username;
    private byte[] _key = [];
    private string _realm = "";
    private string _nonce = "";

    private TurnClient(IPEndPoint server, string username)
    {
        _server = server;
        _username = username;
    }

    /// <summary>What the relay answered: an error code, or the relayed address on success.</summary>
    public sealed record Answer(int? ErrorCode, IPEndPoint? Relayed);

    public static async Task<(TurnClient Client, Answer Allocation)> AllocateAsync(IPEndPoint server, string username, string password)
    {
        var client = new TurnClient(server, username);
        client.ReadChallenge(await client.ExchangeAsync(AllocateRequest, authenticate: false), password);

        var answer = await client.ExchangeAsync(AllocateRequest, authenticate: true);
        return (client, new Answer(ErrorCodeOf(answer), RelayedOf(answer)));
    }

    /// <summary>The 401 an unauthenticated request earns names the realm and a nonce; with the password they make the key.</summary>
    private void ReadChallenge(StunMessage challenge, string password)
    {
        if (ErrorCodeOf(challenge) != 401 || !challenge.TryGetAttribute(Realm, out var realmValue) || !challenge.TryGetAttribute(Nonce, out var nonceValue))
        {
            throw new InvalidOperationException($"The relay did not challenge an unauthenticated Allocate (error {ErrorCodeOf(challenge)}).");
        }
        _realm = System.Text.Encoding.UTF8.GetString(realmValue);
        _nonce = System.Text.Encoding.UTF8.GetString(nonceValue);
        _key = StunMessage.LongTermKey(_username, _realm, password);
    }

    /// <summary>Asks the relay to let <paramref name="peer"/>'s packets through; null on success, else the error code.</summary>
    public async Task<int?> CreatePermissionAsync(IPAddress peer) =>
        ErrorCodeOf(await ExchangeAsync(CreatePermissionRequest, authenticate: true, XorAddress(new IPEndPoint(peer, 9))));

    /// <summary>
    /// Sends <paramref name="payload"/> to <paramref name="peer"/> through the relay (a Send indication, RFC 8656 §11.1)
    /// and returns what the peer sends back (a Data indication, §11.4), or null after <paramref name="timeout"/>.
    /// </summary>
    public async Task<byte[]?> RelayAsync(IPEndPoint peer, byte[] payload, TimeSpan timeout)
    {
        var buffer = new byte[payload.Length + 64];
        var writer = new StunMessageWriter(buffer, SendIndication, RandomNumberGenerator.GetBytes(12));
        writer.AddAttribute(XorPeerAddress, XorAddress(peer));
        writer.AddAttribute(Data, payload);
        await _socket.SendToAsync(writer.Written.ToArray(), _server);

        var response = new byte[1500];
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var received = await _socket.ReceiveFromAsync(response, new IPEndPoint(IPAddress.Any, 0), deadline.Token);
                if (DataOf(response.AsSpan(0, received.ReceivedBytes)) is { } data)
                {
                    return data;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static byte[]? DataOf(ReadOnlySpan<byte> datagram) =>
        StunMessage.TryParse(datagram, out var message) && message.Type == DataIndication && message.TryGetAttribute(Data, out var data)
            ? data.ToArray()
            : null;

    private async Task<StunMessage> ExchangeAsync(ushort method, bool authenticate, byte[]? peerAddress = null)
    {
        var transactionId = RandomNumberGenerator.GetBytes(12);
        var buffer = new byte[512];
        var writer = new StunMessageWriter(buffer, method, transactionId);
        if (method == AllocateRequest)
        {
            writer.AddAttribute(RequestedTransport, [Udp, 0, 0, 0]);
        }
        if (peerAddress is not null)
        {
            writer.AddAttribute(XorPeerAddress, peerAddress);
        }
        if (authenticate)
        {
            writer.AddString(StunAttributeType.Username, _username);
            writer.AddString(Realm, _realm);
            writer.AddString(Nonce, _nonce);
            writer.AddMessageIntegrity(_key);
        }
        var request = writer.Written.ToArray();

        var response = new byte[1500];
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await _socket.SendToAsync(request, _server);
            using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            try
            {
                while (true)
                {
                    var received = await _socket.ReceiveFromAsync(response, new IPEndPoint(IPAddress.Any, 0), timeout.Token);
                    if (StunMessage.TryParse(response.AsSpan(0, received.ReceivedBytes), out var message)
                        && message.TransactionId.SequenceEqual(transactionId)
                        && (message.Type & ~ErrorClass) == method)
                    {
                        return message;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Lost or late: retransmit (RFC 8489 §6.2.1).
            }
        }
        throw new TimeoutException($"No answer from the relay at {_server}.");
    }

    /// <summary>ERROR-CODE (RFC 8489 §14.8): class in the low 3 bits of byte 2, number in byte 3; null for a success.</summary>
    private static int? ErrorCodeOf(StunMessage message) =>
        (message.Type & ErrorClass) == SuccessClass ? null
        : message.TryGetAttribute(StunAttributeType.ErrorCode, out var value) && value.Length >= 4 ? ((value[2] & 0x07) * 100) + value[3]
        : -1;

    /// <summary>An IPv4 XOR-…-ADDRESS value (RFC 8489 §14.2): family, then port and address xor'ed with the magic cookie.</summary>
    private static byte[] XorAddress(IPEndPoint endPoint)
    {
        var value = new byte[8];
        value[1] = 0x01;
        BinaryPrimitives.WriteUInt16BigEndian(value.AsSpan(2), (ushort)(endPoint.Port ^ (StunMessage.MagicCookie >> 16)));
        BinaryPrimitives.WriteUInt32BigEndian(value.AsSpan(4), BinaryPrimitives.ReadUInt32BigEndian(endPoint.Address.GetAddressBytes()) ^ StunMessage.MagicCookie);
        return value;
    }

    private static IPEndPoint? RelayedOf(StunMessage message)
    {
        if (!message.TryGetAttribute(XorRelayedAddress, out var value) || value.Length != 8)
        {
            return null;
        }
        var address = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(address, BinaryPrimitives.ReadUInt32BigEndian(value[4..]) ^ StunMessage.MagicCookie);
        return new IPEndPoint(new IPAddress(address), BinaryPrimitives.ReadUInt16BigEndian(value[2..]) ^ (int)(StunMessage.MagicCookie >> 16));
    }

    public void Dispose() => _socket.Dispose();
}
