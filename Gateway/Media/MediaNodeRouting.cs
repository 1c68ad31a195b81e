using System.Diagnostics;
using System.Globalization;
using AudioStream.Gateway.Extensions;
using AudioStream.ServiceDefaults;
using AudioStream.ServiceDefaults.Security;
using StackExchange.Redis;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace AudioStream.Gateway.Media;

/// <summary>
/// Sends each media request to its node (issue #13): a stream's requests to the node the registry ties it to, going
/// live to the node <see cref="MediaPlacement"/> chooses, the rest to any live node. No sticky sessions: every request
/// is looked up. A stream with no node goes to any node, which answers as it always did (404, or 403 to non-friends).
/// A lost node's streams are answered 503 at once; asked by owner name, another node checks access first.
/// </summary>
public static class MediaNodeRouting
{
    /// <summary>The <c>Server-Timing</c> metric with the time the routing decision took (the registry lookup).</summary>
    public const string ServerTimingName = "media-route";

    private const string RetryWhenLost = "2";
    private const string RetryWhenFull = "10";
    private const string RetryWhenJoining = "1";

    public static IReverseProxyApplicationBuilder UseMediaNodeRouting(this IReverseProxyApplicationBuilder proxy)
    {
        proxy.Use(async (context, next) =>
        {
            var feature = context.GetReverseProxyFeature();
            if (feature.Cluster.Config.ClusterId != ProxyRoutes.MediaCluster)
            {
                await next();
                return;
            }
            context.Request.Headers.Remove(MediaNodeHeaders.LostNode);
            var started = Stopwatch.GetTimestamp();
            string? node;
            try
            {
                node = await RouteAsync(context, feature);
            }
            catch (RedisException)
            {
                // Without the registry, any node still answers what needs no stream, and says so for the rest.
                node = UseAnyNode(feature, context.RequestServices.GetRequiredService<MediaNodeDirectory>(), except: null);
            }
            var routing = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            context.Response.OnStarting(() =>
            {
                context.Response.Headers.Append("Server-Timing", string.Create(CultureInfo.InvariantCulture, $"{ServerTimingName};dur={routing:F3}"));
                return Task.CompletedTask;
            });
            if (node is null)
            {
                return; // answered here
            }

            await next();
            if (context.GetForwarderErrorFeature() is { Error: not ForwarderError.None } && !context.Response.HasStarted)
            {
                // Refused or timed out: the node died since its last renewal (its lease has not lapsed yet).
                context.Response.Clear();
                await LostAsync(context, node);
            }
        });
        return proxy;
    }

    /// <returns>The node chosen (the destination is set), or null when the answer was written here.</returns>
    private static async Task<string?> RouteAsync(HttpContext context, IReverseProxyFeature feature)
    {
        var services = context.RequestServices;
        var directory = services.GetRequiredService<MediaNodeDirectory>();
        var registry = services.GetRequiredService<MediaRegistryReader>();
        var request = MediaRequest.Classify(context.Request.Method, context.Request.Path.Value ?? "");

        if (request.Kind == MediaRequestKind.Place)
        {
            return await PlaceAsync(context, feature, directory, registry);
        }

        var location = request.Kind switch
        {
            MediaRequestKind.Owner => await registry.LocateOwnerAsync(request.Owner!),
            MediaRequestKind.Session => await registry.LocateSessionAsync(request.Session),
            MediaRequestKind.Current when CurrentUser.TryFrom(context.User) is { } me => await registry.LocateOwnerAsync(me.UserName),
            _ => null,
        };
        if (location is not { } stream)
        {
            return UseAnyNode(feature, directory, except: null);
        }
        if (stream.NodeAlive)
        {
            return await UseNodeAsync(context, feature, directory, stream.NodeId);
        }
        if (request.Kind == MediaRequestKind.Owner && UseAnyNode(feature, directory, except: stream.NodeId) is { } other)
        {
            // The other node checks access before it says anything about the stream.
            context.Request.Headers[MediaNodeHeaders.LostNode] = stream.NodeId;
            return other;
        }
        await LostAsync(context, stream.NodeId);
        return null;
    }

    private static async Task<string?> PlaceAsync(
        HttpContext context, IReverseProxyFeature feature, MediaNodeDirectory directory, MediaRegistryReader registry)
    {
        if (CurrentUser.TryFrom(context.User) is { } me && await registry.LocateOwnerAsync(me.UserName) is { } previous)
        {
            if (previous.NodeAlive)
            {
                // The node holding the user's stream says "already live" (409); if it has died since its last renewal,
                // the proxy error below says so (503) rather than another node's 409 about a stream that is ending.
                return await UseNodeAsync(context, feature, directory, previous.NodeId);
            }
            // Its node is gone but the stream has not been ended yet: "already live" would be wrong, and soon untrue.
            context.Response.Headers.RetryAfter = RetryWhenLost;
            await WriteProblemAsync(context, previous.NodeId, "Your previous stream is still ending.",
                $"The media server that held it (node {previous.NodeId}) was lost. Try again in a moment.");
            return null;
        }
        // Read now, not from the last refresh: placements a second apart must see each other's streams.
        var nodes = await registry.ReadNodesAsync();
        if (nodes.Count == 0)
        {
            return UseFallback(feature);
        }
        if (MediaPlacement.Choose(nodes) is not { } chosen)
        {
            context.Response.Headers.RetryAfter = RetryWhenFull;
            await WriteProblemAsync(context, "none", "Every media server is full.",
                $"All {nodes.Count} media node(s) are at their most live streams or draining. Try again in a moment.",
                new Dictionary<string, object?> { ["limit"] = "Media:MaxStreams", ["max"] = nodes.Sum(n => n.Capacity) });
            return null;
        }
        return await UseNodeAsync(context, feature, directory, chosen.Id);
    }

    private static async Task<string?> UseNodeAsync(HttpContext context, IReverseProxyFeature feature, MediaNodeDirectory directory, string nodeId)
    {
        if (DestinationOf(feature, nodeId) is { } destination)
        {
            feature.AvailableDestinations = destination;
            return nodeId;
        }
        // Registered since the last refresh: the proxy learns it now, this request is asked to come back.
        await directory.RefreshAsync();
        context.Response.Headers.RetryAfter = RetryWhenJoining;
        await WriteProblemAsync(context, nodeId, "The media server is joining.", $"Node {nodeId} has just registered. Try again in a second.");
        return null;
    }

    /// <summary>A live node other than <paramref name="except"/>, serving ones first; else service discovery's address.</summary>
    private static string? UseAnyNode(IReverseProxyFeature feature, MediaNodeDirectory directory, string? except)
    {
        var candidates = directory.Nodes.Values
            .Where(node => node.Id != except)
            .Select(node => (Node: node, Destination: DestinationOf(feature, node.Id)))
            .Where(candidate => candidate.Destination is not null)
            .OrderByDescending(candidate => candidate.Node.Serving)
            .ToList();
        if (candidates.Count == 0)
        {
            return except is null ? UseFallback(feature) : null;
        }
        var serving = candidates.Count(c => c.Node.Serving);
        var pick = candidates[Random.Shared.Next(serving > 0 ? serving : candidates.Count)];
        feature.AvailableDestinations = pick.Destination!;
        return pick.Node.Id;
    }

    /// <summary>The service-discovery destination: no node registered (a registry emptied, an older node).</summary>
    private static string UseFallback(IReverseProxyFeature feature)
    {
        feature.AvailableDestinations = [.. feature.AllDestinations.Where(d => NodeIdOf(d) is null)];
        return ProxyRoutes.MediaCluster;
    }

    private static DestinationState? DestinationOf(IReverseProxyFeature feature, string nodeId) =>
        feature.AllDestinations.FirstOrDefault(d => NodeIdOf(d) == nodeId);

    private static string? NodeIdOf(DestinationState destination) =>
        destination.Model.Config.Metadata?.GetValueOrDefault(ProxyRoutes.MediaNodeMetadata);

    private static Task LostAsync(HttpContext context, string nodeId)
    {
        context.Response.Headers.RetryAfter = RetryWhenLost;
        return WriteProblemAsync(context, nodeId, "The media server holding this stream stopped responding.",
            $"Node {nodeId} was lost; its streams are ending. Go live or listen again in a moment.");
    }

    private static Task WriteProblemAsync(
        HttpContext context, string nodeId, string title, string detail, IDictionary<string, object?>? extensions = null)
    {
        context.Response.Headers[MediaNodeHeaders.Node] = nodeId;
        return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: title, detail: detail, extensions: extensions)
            .ExecuteAsync(context);
    }
}
