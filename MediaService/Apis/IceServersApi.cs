using System.Security.Claims;
using AudioStream.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AudioStream.MediaService.Apis;

public static class IceServersApi
{
    public static RouteGroupBuilder MapIceServersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/media/ice-servers").WithTags("WebRTC").RequireAuthorization();
        api.MapGet("/", GetIceServers).WithName("IceServers")
            .WithSummary("STUN and TURN servers with short-lived credentials, for RTCPeerConnection");
        return api;
    }

    public static Ok<IceServersResponse> GetIceServers(HttpContext context, ClaimsPrincipal principal, IceServerDirectory directory)
    {
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(directory.For(context.Request, principal.GetCurrentUser().Id));
    }
}
