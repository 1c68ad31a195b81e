using System.Security.Claims;
using AudioStream.MediaService.Denoising.Hosting;
using AudioStream.MediaService.Denoising.Onnx;
using AudioStream.MediaService.Infrastructure;
using AudioStream.MediaService.Live;
using AudioStream.MediaService.Model;
using AudioStream.MediaService.Nodes;
using AudioStream.ServiceDefaults;
using AudioStream.ServiceDefaults.Rules;
using AudioStream.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using static AudioStream.ServiceDefaults.ProblemResults;

namespace AudioStream.MediaService.Apis;

public static class StreamsApi
{
    public static RouteGroupBuilder MapStreamsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/media/streams").WithTags("Streams").RequireAuthorization();
        api.MapPost("/", StartAsync).WithName("StartStream").WithSummary("Go live (one stream per user)");
        api.MapDelete("/current", StopAsync).WithName("StopStream").WithSummary("End your live stream");
        api.MapGet("/{username}", GetStatsAsync).WithName("GetStream").WithSummary("A live stream's stats (yourself or a friend)");
        return api;
    }

    public static async Task<Results<Created<StreamStartedResponse>, ValidationProblem, ProblemHttpResult>> StartAsync(
        StartStreamRequest request, ClaimsPrincipal principal, MediaDbContext db, LiveStreamManager streams, StreamAdmission admission,
        HttpResponse response)
    {
        if (InvalidTitle(request.Title) is { } invalid)
        {
            return invalid;
        }

        var (stream, problem) = await GoLiveAsync(principal.GetCurrentUser(), request.Title, request.Denoise, streamKeyId: null, db, streams, admission, response);
        if (stream is null)
        {
            return problem!;
        }

        return TypedResults.Created(
            $"/api/media/streams/{Uri.EscapeDataString(stream.OwnerName)}",
            new StreamStartedResponse(stream.SessionId, $"/api/media/whip/{stream.SessionId}", stream.StartedAt, stream.Denoise));
    }

    internal static ValidationProblem? InvalidTitle(string? title) => title is { Length: > TitleRule.MaxLength }
        ? Invalid("title", $"Keep the title to {TitleRule.MaxLength} characters.", "The stream is not valid.")
        : null;

    /// <summary>
    /// Opens the user's live session (409 when they already have one; 503 with Retry-After when this node is draining or
    /// full), the one way a stream starts.
    /// </summary>
    internal static async Task<(LiveBroadcast? Stream, ProblemHttpResult? Problem)> GoLiveAsync(
        CurrentUser me, string? title, bool denoise, Guid? streamKeyId, MediaDbContext db, LiveStreamManager streams,
        StreamAdmission admission, HttpResponse response)
    {
        if (streams.Draining)
        {
            // The gateway places no stream on a draining node; this answers one that raced the drain.
            response.Headers.RetryAfter = "2";
            return (null, Problem(StatusCodes.Status503ServiceUnavailable, "This media server is shutting down: try again."));
        }
        if (!admission.TryTake())
        {
            // The gateway's placement raced another for this node's last slot.
            response.Headers.RetryAfter = StreamAdmission.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return (null, TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "This media server is full.",
                detail: $"It carries {admission.Max} live streams, the most it takes. Try again in a moment.",
                extensions: new Dictionary<string, object?> { ["limit"] = "Media:MaxStreams", ["max"] = admission.Max }));
        }

        LiveBroadcast? started = null;
        try
        {
            var session = new LiveSession
            {
                OwnerId = me.Id,
                OwnerName = me.UserName,
                Title = string.IsNullOrWhiteSpace(title) ? null : title.Trim(),
                Denoise = denoise,
                StreamKeyId = streamKeyId,
                NodeId = streams.NodeId,
            };
            db.Streams.Add(session);
            try
            {
                await db.SaveChangesAsync();
            }
            catch (DbUpdateException ex) when (ex.IsUniqueViolation())
            {
                return (null, Problem(StatusCodes.Status409Conflict, "You are already live."));
            }

            // A stream the page started lasts as long as the sign-in it was started with (logout ends it); a key's does not.
            started = await streams.GoLiveAsync(session, streamKeyId is null ? me.SessionId : null);
            return (started, null);
        }
        finally
        {
            if (started is null)
            {
                admission.Release();
            }
        }
    }

    public static async Task<Results<Ok<StreamEndedResponse>, ProblemHttpResult>> StopAsync(
        ClaimsPrincipal principal, MediaDbContext db, LiveStreamManager streams, TimeProvider time)
    {
        var me = principal.GetCurrentUser();
        if (streams.FindByOwner(me.Id) is { } stream && await streams.EndAsync(stream, LiveStreamManager.ReasonStopped) is { } ended)
        {
            return TypedResults.Ok(Summary(ended, time));
        }

        // Not held by this instance but still open in the database (a crash before start-up cleanup ran): close it.
        var orphan = await db.Streams.SingleOrDefaultAsync(s => s.OwnerId == me.Id && s.EndedAt == null);
        if (orphan is null)
        {
            return Problem(StatusCodes.Status404NotFound, "You are not live.");
        }

        await streams.EndOrphanAsync(db, orphan, LiveStreamManager.ReasonStopped);
        return TypedResults.Ok(Summary(orphan, time));
    }

    public static async Task<Results<Ok<StreamStatsResponse>, ProblemHttpResult>> GetStatsAsync(
        string username, HttpRequest request, ClaimsPrincipal principal, LiveStreamManager streams, ListenerAccess access,
        DeepFilterNetEngine engine, TimeProvider time, CancellationToken cancellationToken)
    {
        var me = principal.GetCurrentUser();
        if (!await access.MayListenAsync(me.Id, me.UserName, username, cancellationToken))
        {
            return Problem(StatusCodes.Status403Forbidden, "Only friends can see this stream.");
        }

        if (streams.FindByName(username) is not { IsEnded: false } stream)
        {
            return NotLive(request, username);
        }

        return TypedResults.Ok(new StreamStatsResponse(
            stream.OwnerName,
            stream.SessionId,
            stream.StartedAt,
            stream.Denoise,
            stream.Listeners.Count,
            Seconds(time.GetUtcNow() - stream.StartedAt),
            new DenoiserStatus(
                engine.IsAvailable, DenoiserMetrics.ProviderName(engine.Provider), engine.IsAvailable ? null : engine.UnavailableReason,
                stream.Denoiser?.Mode ?? "off", Math.Round(stream.Denoiser?.Latency.TotalMilliseconds ?? 0)),
            stream.Title,
            stream.IngestConnected,
            Math.Round(stream.Playout.Delay.TotalMilliseconds),
            Delivery(stream),
            stream.Recording));
    }

    /// <summary>
    /// 404, or 503 when the gateway says the stream was on a node that was lost (asked only after access was checked, so
    /// it tells nothing to those who may not know whether the user is live).
    /// </summary>
    internal static ProblemHttpResult NotLive(HttpRequest request, string username)
    {
        if (request.Headers[MediaNodeHeaders.LostNode] is [{ Length: > 0 } lostNode])
        {
            request.HttpContext.Response.Headers.RetryAfter = "2";
            return Problem(StatusCodes.Status503ServiceUnavailable, $"The media server holding {username}'s stream stopped responding.",
                $"Node {lostNode} was lost; the stream is ending. Try again when {username} is live again.");
        }
        return Problem(StatusCodes.Status404NotFound, $"{username} is not live.");
    }

    private static StreamDelivery Delivery(LiveBroadcast stream)
    {
        var ingest = stream.IngestCounters;
        return new StreamDelivery(
            Math.Round(stream.PlannedLatency.TotalMilliseconds),
            ingest?.PacketsIn ?? 0,
            ingest?.PacketsLost ?? 0,
            ingest?.FramesConcealed ?? 0,
            stream.Listeners.FramesDropped,
            stream.Playout.FramesSkipped,
            stream.FramesAheadOfRealTime);
    }

    private static StreamEndedResponse Summary(LiveSession session, TimeProvider time) =>
        new(session.Id, Seconds((session.EndedAt ?? time.GetUtcNow()) - session.StartedAt), RecordingId: session.Id);

    private static double Seconds(TimeSpan duration) => Math.Round(Math.Max(0, duration.TotalSeconds), 1);
}
