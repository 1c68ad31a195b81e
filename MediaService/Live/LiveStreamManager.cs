using System.Collections.Concurrent;
using AudioStream.MediaService.Denoising.Streaming;
using AudioStream.MediaService.Infrastructure;
using AudioStream.MediaService.Model;
using AudioStream.MediaService.Nodes;
using AudioStream.MediaService.WebRtc;
using AudioStream.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AudioStream.MediaService.Live;

/// <summary>
/// The live streams of this instance: starts them (the database row is created by the caller, whose unique index
/// decides races), finds them by session, owner or name, and ends them whatever the cause — stop, WHIP DELETE,
/// the broadcaster's peer closing, no connection in time, logout, shutdown, the node's loss — recording the end and
/// announcing it once. Each live stream is tied to this node in the media registry (<see cref="MediaNodeLeases"/>) from
/// start to end. At start-up it ends the streams a previous run of this node left active.
/// </summary>
public sealed class LiveStreamManager(
    IServiceScopeFactory scopes,
    IConnectionMultiplexer redis,
    MediaNodeLeases leases,
    StreamAdmission admission,
    IStreamDenoiserFactory denoisers,
    IOptions<LiveOptions> options,
    MediaMetrics metrics,
    TimeProvider time,
    ILogger<LiveStreamManager> logger) : IHostedService
{
    public const string ReasonStopped = "stopped";
    public const string ReasonWhipDeleted = "whip-deleted";
    public const string ReasonNeverConnected = "never-connected";
    public const string ReasonServiceRestart = "service-restart";
    public const string ReasonServiceStopped = "service-stopped";

    /// <summary>The node holding the stream stopped renewing its lease (crashed, hung, cut off).</summary>
    public const string ReasonNodeLost = "node-lost";

    private readonly ConcurrentDictionary<Guid, LiveBroadcast> _bySession = new();
    private readonly ConcurrentDictionary<Guid, LiveBroadcast> _byOwner = new();
    private readonly ConcurrentDictionary<string, LiveBroadcast> _byName = new(StringComparer.OrdinalIgnoreCase);

    public LiveOptions Options { get; } = options.Value;

    /// <summary>This node's id in the media registry; new sessions are stamped with it.</summary>
    public string NodeId => leases.NodeId;

    /// <summary>Set when the node drains (SIGTERM): live streams go on, new ones are refused.</summary>
    public bool Draining { get; set; }

    public IReadOnlyCollection<LiveBroadcast> Streams => [.. _bySession.Values];

    public LiveBroadcast? Find(Guid sessionId) => _bySession.GetValueOrDefault(sessionId);

    public LiveBroadcast? FindByOwner(Guid ownerId) => _byOwner.GetValueOrDefault(ownerId);

    public LiveBroadcast? FindByName(string userName) => _byName.GetValueOrDefault(userName);

    /// <summary>Brings a freshly inserted session to life and announces it; it holds the <see cref="StreamAdmission"/> slot the caller took until it ends.</summary>
    /// <param name="signInSessionId">The sign-in session the page went live with (its logout ends the stream); null for a stream key.</param>
    public async Task<LiveBroadcast> GoLiveAsync(LiveSession session, string? signInSessionId)
    {
        var stream = new LiveBroadcast(session, signInSessionId, session.Denoise ? denoisers.Create() : null, Options, metrics, time, logger);
        stream.IngestClosed += (s, reason) => _ = EndAsync(s, ReasonFor(reason));
        stream.Listeners.CountChanged += count => PublishWhileLive(stream, new ListenerCountChanged(stream.OwnerId, stream.OwnerName, stream.SessionId, count));
        _bySession[stream.SessionId] = stream;
        _byOwner[stream.OwnerId] = stream;
        _byName[stream.OwnerName] = stream;
        metrics.StreamStarted();
        await TieToNodeAsync(stream);
        _ = ExpireIfNeverConnectedAsync(stream);
        logger.LogInformation(
            "Stream {SessionId} of {Owner} started (denoise {Mode}, planned latency {Latency} ms)",
            stream.SessionId, stream.OwnerName, stream.Denoiser?.Mode ?? "off", stream.PlannedLatency.TotalMilliseconds);
        await PublishAsync(new StreamStarted(stream.OwnerId, stream.OwnerName, stream.SessionId, stream.Title, stream.Denoise));
        return stream;
    }

    /// <summary>Ends a stream once; null when it had already ended. The audio drains in the background.</summary>
    public async Task<LiveSession?> EndAsync(LiveBroadcast stream, string reason)
    {
        lock (stream.EventGate)
        {
            // Under the gate: a listener event either went out before this point or sees the stream ended.
            if (!stream.End(reason))
            {
                return null;
            }
        }

        _bySession.TryRemove(new KeyValuePair<Guid, LiveBroadcast>(stream.SessionId, stream));
        admission.Release();
        _byOwner.TryRemove(new KeyValuePair<Guid, LiveBroadcast>(stream.OwnerId, stream));
        _byName.TryRemove(new KeyValuePair<string, LiveBroadcast>(stream.OwnerName, stream));
        metrics.StreamEnded(reason);
        logger.LogInformation("Stream {SessionId} of {Owner} ended: {Reason}", stream.SessionId, stream.OwnerName, reason);

        LiveSession? session = null;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<MediaDbContext>();
            session = await db.Streams.SingleOrDefaultAsync(s => s.Id == stream.SessionId);
            if (session is not null && session.IsActive)
            {
                session.EndedAt = time.GetUtcNow();
                session.EndReason = reason;
                await db.SaveChangesAsync();
            }
        }
        catch (Exception ex) when (ex is DbUpdateException or Npgsql.NpgsqlException or InvalidOperationException)
        {
            logger.LogError(ex, "Could not record the end of stream {SessionId}", stream.SessionId);
        }

        await UntieFromNodeAsync(stream);
        await PublishAsync(new StreamEnded(stream.OwnerId, stream.OwnerName, stream.SessionId));
        return session ?? new LiveSession
        {
            Id = stream.SessionId,
            OwnerId = stream.OwnerId,
            OwnerName = stream.OwnerName,
            StartedAt = stream.StartedAt,
            EndedAt = time.GetUtcNow(),
            EndReason = reason,
        };
    }

    /// <summary>
    /// Ends what a previous run of this node left active: it crashed with them, so they were lost with it (a sweep by
    /// another node may have got there first). Sessions from before nodes had ids are ended too, as a restart.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var lost = await EndLeftoverAsync(s => s.NodeId == NodeId, ReasonNodeLost, cancellationToken);
            var unowned = await EndLeftoverAsync(s => s.NodeId == null, ReasonServiceRestart, cancellationToken);
            if (lost + unowned > 0)
            {
                logger.LogWarning("Ended {Count} stream(s) left active by a previous run", lost + unowned);
            }
        }
        catch (Exception ex) when (ex is DbUpdateException or Npgsql.NpgsqlException or InvalidOperationException)
        {
            // A database without the schema (not migrated yet) must not keep the service down.
            logger.LogError(ex, "Could not end the streams left active by a previous run");
        }
    }

    /// <summary>Ends the streams of a node whose lease lapsed (this node won the sweep); the count it ended.</summary>
    public Task<int> EndLostNodeStreamsAsync(string lostNodeId, CancellationToken cancellationToken) =>
        EndLeftoverAsync(s => s.NodeId == lostNodeId, ReasonNodeLost, cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var stream in Streams)
        {
            await EndAsync(stream, ReasonServiceStopped);
        }
    }

    /// <summary>Records the end of a session this instance no longer holds in memory (left by another run).</summary>
    public async Task EndOrphanAsync(MediaDbContext db, LiveSession session, string reason)
    {
        session.EndedAt = time.GetUtcNow();
        session.EndReason = reason;
        await db.SaveChangesAsync();
        await PublishAsync(new StreamEnded(session.OwnerId, session.OwnerName, session.Id));
    }

    /// <summary>
    /// Ends open sessions no live stream of this process holds, each with one conditional update, so that when two
    /// nodes race (a sweep and a restart) only the one that ended it announces it.
    /// </summary>
    private async Task<int> EndLeftoverAsync(
        System.Linq.Expressions.Expression<Func<LiveSession, bool>> whose, string reason, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MediaDbContext>();
        var left = await db.Streams.AsNoTracking().Where(s => s.EndedAt == null).Where(whose).ToListAsync(cancellationToken);
        var ended = 0;
        foreach (var session in left)
        {
            var now = time.GetUtcNow();
            var updated = await db.Streams.Where(s => s.Id == session.Id && s.EndedAt == null)
                .ExecuteUpdateAsync(set => set.SetProperty(s => s.EndedAt, now).SetProperty(s => s.EndReason, reason), cancellationToken);
            if (updated == 1)
            {
                ended++;
                logger.LogInformation("Stream {SessionId} of {Owner} on node {Node} ended: {Reason}", session.Id, session.OwnerName, session.NodeId, reason);
                await PublishAsync(new StreamEnded(session.OwnerId, session.OwnerName, session.Id));
            }
        }
        return ended;
    }

    private async Task TieToNodeAsync(LiveBroadcast stream)
    {
        try
        {
            await leases.ClaimStreamAsync(stream.SessionId, stream.OwnerName, _bySession.Count);
        }
        catch (RedisException ex)
        {
            // The gateway cannot route to the stream until the next renewal takes the keys (MediaNodeRegistry).
            logger.LogWarning(ex, "Could not tie stream {SessionId} to this node in the registry", stream.SessionId);
        }
    }

    private async Task UntieFromNodeAsync(LiveBroadcast stream)
    {
        try
        {
            await leases.ReleaseStreamAsync(stream.SessionId, stream.OwnerName, _bySession.Count);
        }
        catch (RedisException ex)
        {
            // The keys lapse by themselves within a lease.
            logger.LogWarning(ex, "Could not untie stream {SessionId} from this node in the registry", stream.SessionId);
        }
    }

    internal static string ReasonFor(PeerCloseReason reason) => reason switch
    {
        PeerCloseReason.ConsentLapsed => "consent-lapsed",
        PeerCloseReason.DtlsCloseNotify => "broadcaster-hung-up",
        PeerCloseReason.DtlsFailed => "dtls-failed",
        PeerCloseReason.ConnectTimeout => "connect-timeout",
        PeerCloseReason.EndpointDisposed => ReasonServiceStopped,
        _ => "ingest-closed",
    };

    private async Task ExpireIfNeverConnectedAsync(LiveBroadcast stream)
    {
        await Task.Delay(Options.IngestTimeout, time);
        if (!stream.IsEnded && !stream.IngestConnected)
        {
            await EndAsync(stream, ReasonNeverConnected);
        }
    }

    /// <summary>
    /// Publishes an event about a live stream unless it has ended: once stream_ended is out, nothing more about the
    /// stream may follow it (a late listener count would put the user back among the live). The gate orders this
    /// check against <see cref="EndAsync"/>, and Redis keeps the order of publishes made in order.
    /// </summary>
    private void PublishWhileLive(LiveBroadcast stream, MediaEvent message)
    {
        lock (stream.EventGate)
        {
            if (!stream.IsEnded)
            {
                _ = PublishAsync(message);
            }
        }
    }

    private async Task PublishAsync(MediaEvent message)
    {
        try
        {
            await redis.PublishAsync(message);
        }
        catch (RedisException ex)
        {
            // Presence misses a live update; the stream itself is fine.
            logger.LogWarning(ex, "Could not publish {Type} for {User}", message.GetType().Name, message.UserName);
        }
    }
}
