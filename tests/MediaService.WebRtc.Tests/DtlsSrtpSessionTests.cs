using AudioStream.MediaService.WebRtc.Dtls;
using AudioStream.MediaService.WebRtc.Sdp;
using AudioStream.MediaService.WebRtc.Srtp;

namespace AudioStream.MediaService.WebRtc.Tests;

/// <summary>The one DTLS-SRTP session type in both roles, wired back to back in memory.</summary>
public class DtlsSrtpSessionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_server_and_a_client_session_agree_on_srtp_keys_and_close_notify_ends_the_other_side()
    {
        var pair = new SessionPair(DtlsCertificate.Create(), DtlsCertificate.Create());
        var ended = new TaskCompletionSource<DtlsSessionEnd>(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.Server.Ended += end => ended.TrySetResult(end);
        pair.Start();

        var (serverIn, serverOut) = await pair.Server.WaitEstablishedAsync();
        var (clientIn, clientOut) = await pair.Client.WaitEstablishedAsync();

        // What the client protects, the server reads, and back (RFC 5764 §4.2: each side writes with its own key).
        AssertCarries(clientOut, serverIn, sequence: 1);
        AssertCarries(serverOut, clientIn, sequence: 7);
        Assert.NotNull(pair.Server.Session.HandshakeDuration);

        pair.Client.Session.Close();
        Assert.Equal(DtlsSessionEnd.CloseNotify, await ended.Task.WaitAsync(Timeout));
        pair.Server.Session.Close();
    }

    [Fact]
    public async Task A_certificate_that_does_not_match_the_sdp_fingerprint_fails_both_sides()
    {
        var impostor = DtlsCertificate.Create();
        var pair = new SessionPair(DtlsCertificate.Create(), DtlsCertificate.Create(), clientExpects: impostor.Fingerprint);
        var serverEnded = new TaskCompletionSource<DtlsSessionEnd>(TaskCreationOptions.RunContinuationsAsynchronously);
        var clientEnded = new TaskCompletionSource<DtlsSessionEnd>(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.Server.Ended += end => serverEnded.TrySetResult(end);
        pair.Client.Ended += end => clientEnded.TrySetResult(end);
        pair.Start();

        Assert.Equal(DtlsSessionEnd.Failed, await clientEnded.Task.WaitAsync(Timeout));
        Assert.Equal(DtlsSessionEnd.Failed, await serverEnded.Task.WaitAsync(Timeout));
        Assert.Contains("bad_certificate", pair.Client.Session.Detail, StringComparison.Ordinal);
        Assert.False(pair.Client.Established.Task.IsCompleted);
        Assert.False(pair.Server.Established.Task.IsCompleted);
    }

    private static void AssertCarries(SrtpContext sender, SrtpContext receiver, ushort sequence)
    {
        var rtp = SrtpTests.MakeRtp(sequence, 0x1234, 40);
        var buffer = new byte[rtp.Length + SrtpContext.AuthTagLength];
        rtp.CopyTo(buffer, 0);

        int protectedLength = sender.ProtectRtp(buffer, rtp.Length);

        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(buffer.AsSpan(0, protectedLength), out int length));
        Assert.Equal(rtp, buffer[..length]);
    }

    private sealed class Side
    {
        public required DtlsSrtpSession Session { get; init; }

        public TaskCompletionSource<(SrtpContext Inbound, SrtpContext Outbound)> Established { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);

        public event Action<DtlsSessionEnd>? Ended
        {
            add => Session.Ended += value;
            remove => Session.Ended -= value;
        }

        public Task<(SrtpContext Inbound, SrtpContext Outbound)> WaitEstablishedAsync() => Established.Task.WaitAsync(Timeout);
    }

    /// <summary>Each session's datagrams go straight into the other's queue.</summary>
    private sealed class SessionPair
    {
        private static readonly DtlsHandshakeWorkers ServerWorkers = new(4, "test-dtls-server");

        public SessionPair(DtlsCertificate serverCertificate, DtlsCertificate clientCertificate, SdpFingerprint? clientExpects = null)
        {
            Server = new Side
            {
                Session = new DtlsSrtpSession(
                    DtlsRole.Server, serverCertificate, clientCertificate.Fingerprint, Timeout, datagram => Client!.Session.Enqueue(datagram.Span), ServerWorkers),
            };
            Client = new Side
            {
                Session = new DtlsSrtpSession(
                    DtlsRole.Client, clientCertificate, clientExpects ?? serverCertificate.Fingerprint, Timeout, datagram => Server.Session.Enqueue(datagram.Span), DtlsHandshakeWorkers.Clients),
            };
            Server.Session.Established += (inbound, outbound) => Server.Established.TrySetResult((inbound, outbound));
            Client.Session.Established += (inbound, outbound) => Client.Established.TrySetResult((inbound, outbound));
        }

        /// <summary>Starts both handshakes (after the test has subscribed to what it watches).</summary>
        public void Start()
        {
            Server.Session.Start();
            Client.Session.Start();
        }

        public Side Server { get; }

        public Side Client { get; }
    }
}
