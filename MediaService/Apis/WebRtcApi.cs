using System.Security.Claims;
using AudioStream.MediaService.Live;
using AudioStream.MediaService.Model;
using AudioStream.MediaService.Security;
using AudioStream.MediaService.WebRtc;
using AudioStream.MediaService.WebRtc.Sdp;
using AudioStream.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using static AudioStream.ServiceDefaults.ProblemResults;

namespace AudioStream.MediaService.Apis;

/// <summary>
/// WHIP (RFC 9725) for the broadcaster's microphone and WHEP for listeners. The offer is the whole body
/// (<c>application/sdp</c>); the answer comes back with 201 and a Location to DELETE when done. The endpoint is
/// ICE-lite, so no trickle (PATCH) is needed: the browser's checks tell us its address.
/// </summary>
public static class WebRtcApi
{
    public static RouteGroupBuilder MapWebRtcApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/media").WithTags("WebRTC").RequireAuthorization();
        api.MapPost("/whip/{sessionId:guid}", IngestAsync).WithName("Whip").WithSummary("Send your microphone to your live stream (WHIP)")
            .Accepts<string>(SdpAnswerResult.ContentType);
        // The page hangs up with its cookie, a WHIP client with its stream key (WhipPublishApi).
        app.MapDelete("/api/media/whip/{sessionId:guid}/{resourceId:guid}", StopIngestAsync).WithTags("WebRTC").WithName("WhipDelete")
            .WithSummary("Hang up: ends the stream").RequireAuthorization(StreamKeyAuthentication.CookieOrKeyPolicy);
        api.MapPost("/whep/{username}", ListenAsync).WithName("Whep").WithSummary("Listen to a friend's live stream (WHEP)")
            .Accepts<string>(SdpAnswerResult.ContentType);
        api.MapDelete("/whep/{username}/{resourceId:guid}", StopListeningAsync).WithName("WhepDelete").WithSummary("Stop listening");
        app.MapIceServersApi();
        api.MapPut("/whep/{username}/{resourceId:guid}/track", SetTrack).WithName("WhepTrack")
            .WithSummary("Hear the cleaned or the original track of a denoised stream, without reconnecting");
        return api;
    }

    public static async Task<Results<SdpAnswerResult, ProblemHttpResult>> IngestAsync(
        Guid sessionId, HttpRequest request, ClaimsPrincipal principal, LiveStreamManager streams, WebRtcEndpoint endpoint,
        IceServerDirectory iceServers)
    {
        var me = principal.GetCurrentUser();
        var stream = streams.Find(sessionId);
        if (stream is null || stream.IsEnded)
        {
            return Problem(StatusCodes.Status404NotFound, "There is no such live stream (it may have ended).");
        }

        if (stream.OwnerId != me.Id)
        {
            return Problem(StatusCodes.Status403Forbidden, "This is not your stream.");
        }

        if (stream.IngestResourceId is not null)
        {
            return Problem(StatusCodes.Status409Conflict, "A broadcaster is already connected to this stream.");
        }

        var offer = await ReadOfferAsync(request);
        if (offer.Problem is not null)
        {
            return offer.Problem;
        }

        IngestPeer peer;
        string answer;
        try
        {
            (peer, answer) = endpoint.CreateIngestPeer(offer.Sdp!, ClientAddress(request));
        }
        catch (SdpParseException ex)
        {
            return BadOffer(ex);
        }

        var resourceId = Guid.NewGuid();
        if (!stream.TryAttachIngest(peer, resourceId))
        {
            peer.Dispose();
            return Problem(StatusCodes.Status409Conflict, "A broadcaster is already connected to this stream.");
        }

        return new SdpAnswerResult(answer, $"/api/media/whip/{sessionId}/{resourceId}", IceServerLinksFor(request, me, iceServers));
    }

    public static async Task<Results<Ok, ProblemHttpResult>> StopIngestAsync(
        Guid sessionId, Guid resourceId, ClaimsPrincipal principal, LiveStreamManager streams)
    {
        var me = principal.GetCurrentUser();
        var stream = streams.Find(sessionId);
        if (stream is null || stream.OwnerId != me.Id || stream.IngestResourceId != resourceId
            || await streams.EndAsync(stream, LiveStreamManager.ReasonWhipDeleted) is null)
        {
            return Problem(StatusCodes.Status404NotFound, "There is no such WHIP session.");
        }

        return TypedResults.Ok();
    }

    public static async Task<Results<SdpAnswerResult, ProblemHttpResult>> ListenAsync(
        string username, HttpRequest request, ClaimsPrincipal principal, LiveStreamManager streams, ListenerAccess access,
        ListenerAdmission admission, WebRtcEndpoint endpoint, IceServerDirectory iceServers, CancellationToken cancellationToken)
    {
        var me = principal.GetCurrentUser();
        if (!await access.MayListenAsync(me.Id, me.UserName, username, cancellationToken))
        {
            return Problem(StatusCodes.Status403Forbidden, "Only friends can listen to this stream.");
        }

        if (streams.FindByName(username) is not { IsEnded: false } stream)
        {
            return StreamsApi.NotLive(request, username);
        }

        var offer = await ReadOfferAsync(request);
        if (offer.Problem is not null)
        {
            return offer.Problem;
        }

        // The slot is taken before the peer exists, so parallel offers cannot pass a limit; the listener gives it back.
        if (admission.TryAdmit(me.Id, stream.SessionId, out var refused) is not { } slot)
        {
            return ListenerLimitProblem(request.HttpContext, admission.Limits, refused);
        }

        EgressPeer peer;
        string answer;
        try
        {
            (peer, answer) = endpoint.CreateEgressPeer(offer.Sdp!, ClientAddress(request));
        }
        catch (SdpParseException ex)
        {
            slot.Dispose();
            return BadOffer(ex);
        }
        catch
        {
            slot.Dispose();
            throw;
        }

        var listener = stream.Listeners.Add(peer, slot, me.SessionId);
        return new SdpAnswerResult(answer, $"/api/media/whep/{Uri.EscapeDataString(stream.OwnerName)}/{listener.ResourceId}",
            IceServerLinksFor(request, me, iceServers));
    }

    public static Results<Ok, ProblemHttpResult> StopListeningAsync(
        string username, Guid resourceId, ClaimsPrincipal principal, LiveStreamManager streams)
    {
        var me = principal.GetCurrentUser();
        if (streams.FindByName(username)?.Listeners.Find(resourceId) is not { } listener || listener.UserId != me.Id)
        {
            return Problem(StatusCodes.Status404NotFound, "There is no such WHEP session.");
        }

        listener.Close();
        return TypedResults.Ok();
    }

    public static Results<NoContent, ValidationProblem, ProblemHttpResult> SetTrack(
        string username, Guid resourceId, ListenerTrackRequest request, ClaimsPrincipal principal, LiveStreamManager streams)
    {
        var me = principal.GetCurrentUser();
        if (request.Track is not ("processed" or "original"))
        {
            return Invalid("track", "Ask for \"processed\" (cleaned) or \"original\".", "The track is not valid.");
        }
        if (streams.FindByName(username)?.Listeners.Find(resourceId) is not { } listener || listener.UserId != me.Id)
        {
            return Problem(StatusCodes.Status404NotFound, "There is no such WHEP session.");
        }
        if (request.Track == "original" && !listener.HasOriginal)
        {
            return Problem(StatusCodes.Status409Conflict, "This stream is not denoised: there is only the original.");
        }

        listener.PlayOriginal = request.Track == "original";
        return TypedResults.NoContent();
    }

    internal static async Task<(string? Sdp, ProblemHttpResult? Problem)> ReadOfferAsync(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals(SdpAnswerResult.ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return (null, Problem(StatusCodes.Status415UnsupportedMediaType, "Send the SDP offer as application/sdp."));
        }

        using var reader = new StreamReader(request.Body);
        var sdp = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        return (sdp, null);
    }

    /// <summary>
    /// Who sent the offer, which decides whether the answer offers loopback candidates (only to a browser on this
    /// machine). Behind the gateway this is the browser's own address: the forwarded headers are honoured from the
    /// gateway only.
    /// </summary>
    internal static System.Net.IPAddress? ClientAddress(HttpRequest request) => request.HttpContext.Connection.RemoteIpAddress;

    internal static string[] IceServerLinksFor(HttpRequest request, CurrentUser me, IceServerDirectory iceServers) =>
        IceServerLinks.Format(iceServers.For(request, me.Id).IceServers);

    /// <summary>
    /// A refused WHEP session (RFC 9457): 429 for the listener's own or the stream's limit, 503 when this instance is full,
    /// naming the limit (<c>limit</c>, <c>max</c>) and saying when to try again (<c>Retry-After</c>).
    /// </summary>
    internal static ProblemHttpResult ListenerLimitProblem(HttpContext context, ListenerLimits limits, ListenerLimit refused)
    {
        var (status, name, max, detail) = refused switch
        {
            ListenerLimit.PerUser => (StatusCodes.Status429TooManyRequests, nameof(ListenerLimits.MaxPerUser), limits.MaxPerUser,
                $"You are already listening in {limits.MaxPerUser} sessions, the most at once: hang up one first."),
            ListenerLimit.PerStream => (StatusCodes.Status429TooManyRequests, nameof(ListenerLimits.MaxPerStream), limits.MaxPerStream,
                $"This stream has {limits.MaxPerStream} listeners, the most it takes."),
            _ => (StatusCodes.Status503ServiceUnavailable, nameof(ListenerLimits.MaxPerNode), limits.MaxPerNode,
                $"This media server has {limits.MaxPerNode} listeners, the most it takes."),
        };
        context.Response.Headers.RetryAfter = limits.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            statusCode: status,
            title: "Too many listeners.",
            detail: detail,
            extensions: new Dictionary<string, object?> { ["limit"] = $"{ListenerLimits.SectionName}:{name}", ["max"] = max });
    }

    internal static ProblemHttpResult BadOffer(SdpParseException ex) =>
        Problem(StatusCodes.Status400BadRequest, "The SDP offer is not valid.", ex.Message);
}
