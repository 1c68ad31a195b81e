namespace AudioStream.Gateway.Media;

/// <summary>What a media request is about, which decides the node it goes to.</summary>
public enum MediaRequestKind
{
    /// <summary>Nothing tied to a stream (stream keys, ICE servers, health): any live node.</summary>
    Any,

    /// <summary>Going live (<c>POST /api/media/streams</c>, <c>POST /api/media/whip</c>): placed on a node.</summary>
    Place,

    /// <summary>A stream named by its owner (stats, WHEP).</summary>
    Owner,

    /// <summary>A stream named by its session id (WHIP).</summary>
    Session,

    /// <summary>The caller's own stream (<c>DELETE /api/media/streams/current</c>).</summary>
    Current,
}

/// <summary>A media request's <see cref="MediaRequestKind"/> and the owner name or session id it names.</summary>
public readonly record struct MediaRequest(MediaRequestKind Kind, string? Owner = null, Guid Session = default)
{
    /// <summary>Reads the public API's media paths (../shared/design/API.md, "Media").</summary>
    public static MediaRequest Classify(string method, string path)
    {
        var parts = path.Trim('/').Split('/');
        if (parts is not ["api", "media", var area, ..])
        {
            return new(MediaRequestKind.Any);
        }
        var isPost = HttpMethods.IsPost(method);
        return (area.ToLowerInvariant(), parts.Length) switch
        {
            ("streams", 3) when isPost => new(MediaRequestKind.Place),
            ("streams", 4) when parts[3].Equals("current", StringComparison.OrdinalIgnoreCase) => new(MediaRequestKind.Current),
            ("streams", 4) => new(MediaRequestKind.Owner, parts[3]),
            ("whip", 3) when isPost => new(MediaRequestKind.Place),
            ("whip", >= 4) when Guid.TryParse(parts[3], out var session) => new(MediaRequestKind.Session, Session: session),
            ("whep", >= 4) when parts[3].Length > 0 => new(MediaRequestKind.Owner, parts[3]),
            _ => new(MediaRequestKind.Any),
        };
    }
}
