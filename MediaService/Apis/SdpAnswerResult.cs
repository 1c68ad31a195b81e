using System.Text;

namespace AudioStream.MediaService.Apis;

/// <summary>
/// WHIP/WHEP success (RFC 9725 §4.2): 201 Created, the SDP answer as <c>application/sdp</c>, the session's URL in
/// Location, and the ICE servers (STUN, TURN with credentials) as Link headers (§4.6).
/// </summary>
public sealed class SdpAnswerResult(string answer, string location, IReadOnlyList<string>? iceServerLinks = null)
    : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    public const string ContentType = "application/sdp";

    public string Answer { get; } = answer;

    public string Location { get; } = location;

    public IReadOnlyList<string> IceServerLinks { get; } = iceServerLinks ?? [];

    public int? StatusCode => StatusCodes.Status201Created;

    string? IContentTypeHttpResult.ContentType => ContentType;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status201Created;
        httpContext.Response.ContentType = ContentType;
        httpContext.Response.Headers.Location = Location;
        httpContext.Response.Headers.CacheControl = "no-store";
        if (IceServerLinks.Count > 0)
        {
            httpContext.Response.Headers.Link = new Microsoft.Extensions.Primitives.StringValues([.. IceServerLinks]);
        }
        return httpContext.Response.WriteAsync(Answer, Encoding.UTF8);
    }
}
