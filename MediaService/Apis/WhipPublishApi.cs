using System.Security.Claims;
using AudioStream.MediaService.Infrastructure;
using AudioStream.MediaService.Live;
using AudioStream.MediaService.Nodes;
using AudioStream.MediaService.Security;
using AudioStream.MediaService.WebRtc;
using AudioStream.MediaService.WebRtc.Sdp;
using AudioStream.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using static AudioStream.ServiceDefaults.ProblemResults;

namespace AudioStream.MediaService.Apis;

/// <summary>
/// WHIP as OBS, GStreamer's whipsink and whip-client speak it (RFC 9725): one POST with a stream key as Bearer token
/// and the SDP offer opens the owner's live stream and answers 201 with the SDP answer, the session's Location and
/// the ICE servers. From there it is the page's stream: presence, listeners, denoising, recording, and DELETE of
/// the Location (with the key) ends it.
/// </summary>
public static class WhipPublishApi
{
    public static IEndpointRouteBuilder MapWhipPublishApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/media/whip", PublishAsync).WithTags("WebRTC").WithName("WhipPublish")
            .WithSummary("Go live from a WHIP client with a stream key (Authorization: Bearer)")
            .Accepts<string>(SdpAnswerResult.ContentType)
            .RequireAuthorization(StreamKeyAuthenticationHandler.Policy);
        // Our endpoint is ICE-lite and learns the client's address from its checks: no trickle, no ICE restart.
        // RFC 9725 §4.3.1: a server without them answers PATCH with 405, and the client carries on with what it sent.
        app.MapMethods("/api/media/whip/{sessionId:guid}/{resourceId:guid}", [HttpMethods.Patch], RefusePatch)
            .WithTags("WebRTC").WithName("WhipPatch").WithSummary("Trickle ICE and ICE restarts are not supported (405)")
            .AllowAnonymous();
        return app;
    }

    /// <param name="title">Shown with the stream and its recording (query parameter).</param>
    /// <param name="denoise">Clean the audio with DeepFilterNet (query parameter; on unless <c>false</c>).</param>
    public static async Task<Results<SdpAnswerResult, ValidationProblem, ProblemHttpResult>> PublishAsync(
        HttpRequest request, ClaimsPrincipal principal, MediaDbContext db, LiveStreamManager streams, StreamAdmission admission,
        WebRtcEndpoint endpoint, IceServerDirectory iceServers, string? title = null, bool denoise = true)
    {
        if (StreamsApi.InvalidTitle(title) is { } invalid)
        {
            return invalid;
        }

        var offer = await WebRtcApi.ReadOfferAsync(request);
        if (offer.Problem is not null)
        {
            return offer.Problem;
        }

        // The offer is checked before the stream opens, so a bad one starts nothing.
        IngestPeer peer;
        string answer;
        try
        {
            (peer, answer) = endpoint.CreateIngestPeer(offer.Sdp!, WebRtcApi.ClientAddress(request));
        }
        catch (SdpParseException ex)
        {
            return WebRtcApi.BadOffer(ex);
        }

        var me = principal.GetCurrentUser();
        var (stream, problem) = await StreamsApi.GoLiveAsync(me, title, denoise, StreamKeyAuthenticationHandler.KeyId(principal), db, streams, admission, request.HttpContext.Response);
        var resourceId = Guid.NewGuid();
        if (stream is null || !stream.TryAttachIngest(peer, resourceId))
        {
            peer.Dispose();
            return problem ?? Problem(StatusCodes.Status409Conflict, "You are already live.");
        }

        return new SdpAnswerResult(answer, $"/api/media/whip/{stream.SessionId}/{resourceId}", WebRtcApi.IceServerLinksFor(request, me, iceServers));
    }

    private static ProblemHttpResult RefusePatch(HttpResponse response)
    {
        response.Headers.Allow = HttpMethods.Delete;
        return Problem(StatusCodes.Status405MethodNotAllowed,
            "Trickle ICE and ICE restarts are not supported: the offer's candidates are enough (the server is ICE-lite).");
    }
}
