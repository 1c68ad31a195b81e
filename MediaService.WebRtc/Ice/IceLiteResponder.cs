using System.Net;
using System.Security.Cryptography;
using AudioStream.MediaService.WebRtc.Stun;

namespace AudioStream.MediaService.WebRtc.Ice;

/// <summary>
/// The responder half of an ICE-lite agent (RFC 8445 §2.5, §7.3): answers binding requests whose USERNAME is
/// "ourUfrag:theirUfrag" and whose MESSAGE-INTEGRITY verifies with our password, remembers the remote address that
/// passed (preferring one nominated with USE-CANDIDATE) and when the last valid check came (consent, RFC 7675).
/// </summary>
public sealed class IceLiteResponder
{
    /// <summary>
    /// Default consent lapse: Chromium re-checks a selected pair about every 2.3 s, so 10 s is four missed checks,
    /// well past a lost datagram or two and well before RFC 7675's 30 s.
    /// </summary>
    public static readonly TimeSpan DefaultConsentTimeout = TimeSpan.FromSeconds(10);

    private readonly byte[] _key;
    private readonly string _expectedUsername;
    private long _lastValidCheckTimestamp;
    private long _lastAuthenticatedMediaTimestamp;
    private IPEndPoint? _remoteEndPoint;

    public IceLiteResponder(string localUfrag, string localPwd, string remoteUfrag)
    {
        LocalUfrag = localUfrag;
        LocalPwd = localPwd;
        RemoteUfrag = remoteUfrag;
        _key = StunMessage.ShortTermKey(localPwd);
        _expectedUsername = $"{localUfrag}:{remoteUfrag}";
    }

    public string LocalUfrag { get; }

    public string LocalPwd { get; }

    public string RemoteUfrag { get; }

    /// <summary>The remote address that passed a check, switched to a nominated one when USE-CANDIDATE arrives.</summary>
    public IPEndPoint? RemoteEndPoint => Volatile.Read(ref _remoteEndPoint);

    public bool Nominated { get; private set; }

    public long ValidChecks { get; private set; }

    /// <summary><see cref="TimeProvider"/> timestamp of the last valid check, 0 before the first.</summary>
    public long LastValidCheckTimestamp => Interlocked.Read(ref _lastValidCheckTimestamp);

    /// <summary>Random ICE credentials (RFC 8445 §5.3: ufrag ≥ 4 and pwd ≥ 22 characters of ice-char).</summary>
    public static (string Ufrag, string Pwd) CreateCredentials() =>
        (RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 8),
         RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 24));

    /// <summary>
    /// Handles one binding request from <paramref name="remote"/>. On <see cref="IceCheckOutcome.Answered"/> the success
    /// response (XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY, FINGERPRINT) is in <paramref name="response"/>[..responseLength].
    /// </summary>
    public IceCheckOutcome HandleRequest(StunMessage request, IPEndPoint remote, Span<byte> response, long timestamp, out int responseLength)
    {
        responseLength = 0;
        if (request.Type != StunMessageType.BindingRequest || request.Username != _expectedUsername)
        {
            return IceCheckOutcome.NotForUs;
        }

        if (!request.VerifyMessageIntegrity(_key) || (request.FingerprintOffset >= 0 && !request.VerifyFingerprint()))
        {
            return IceCheckOutcome.Unauthenticated;
        }

        var writer = new StunMessageWriter(response, StunMessageType.BindingSuccessResponse, request.TransactionId);
        writer.AddXorMappedAddress(remote);
        writer.AddMessageIntegrity(_key);
        writer.AddFingerprint();
        responseLength = writer.Length;

        ValidChecks++;
        Interlocked.Exchange(ref _lastValidCheckTimestamp, timestamp);
        bool useCandidate = request.UseCandidate;
        var current = RemoteEndPoint;
        if (current is null || (useCandidate && (!Nominated || !current.Equals(remote))))
        {
            Volatile.Write(ref _remoteEndPoint, remote);
        }

        Nominated |= useCandidate;
        return IceCheckOutcome.Answered;
    }

    /// <summary>
    /// Notes an SRTP/SRTCP packet from the peer that authenticated: only the peer holds the keys, so it is alive and still
    /// wants the session. Full agents that keep a pair alive with binding indications (libnice, hence GStreamer's
    /// webrtcbin and whip-client, every 25 s) send no checks at all once connected, only media.
    /// </summary>
    public void NoteAuthenticatedMedia(long timestamp) => Interlocked.Exchange(ref _lastAuthenticatedMediaTimestamp, timestamp);

    /// <summary>
    /// Whether consent has lapsed: a check was seen once, and since then for <paramref name="timeout"/> neither a
    /// check nor authenticated media (RFC 7675 §5.1: consent is fresh while the remote shows it holds the credentials).
    /// </summary>
    public bool HasConsentLapsed(long now, TimeSpan timeout, TimeProvider timeProvider)
    {
        long last = LastValidCheckTimestamp;
        return last != 0 && timeProvider.GetElapsedTime(Math.Max(last, Interlocked.Read(ref _lastAuthenticatedMediaTimestamp)), now) > timeout;
    }
}
