namespace AudioStream.ServiceDefaults;

/// <summary>HTTP headers between the gateway and media nodes (issue #13).</summary>
public static class MediaNodeHeaders
{
    /// <summary>On every media response: the node that served it (or, on the gateway's own 503, the node it is about).</summary>
    public const string Node = "X-AudioStream-Node";

    /// <summary>
    /// Gateway → node: the stream asked for was held by this lost node. The node checks access as usual (a non-friend
    /// still gets 403) and answers 503 instead of 404 for those who may know. The gateway drops it from clients' requests.
    /// </summary>
    public const string LostNode = "X-AudioStream-Lost-Node";
}
