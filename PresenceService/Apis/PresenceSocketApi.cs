using System.Net.WebSockets;
using System.Security.Claims;
using System.Text.Json;
using AudioStream.PresenceService.Realtime;
using AudioStream.ServiceDefaults.Security;
using static AudioStream.ServiceDefaults.ProblemResults;

namespace AudioStream.PresenceService.Apis;

public static class PresenceSocketApi
{
    /// <summary>Clients send nothing but pings; anything bigger closes the socket (1009), never the service.</summary>
    public const int MaxMessageBytes = 4 * 1024;

    public static IEndpointRouteBuilder MapPresenceApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ws/presence/", ConnectAsync).RequireAuthorization()
            .WithName("PresenceSocket").WithSummary("Live statuses of your friends (WebSocket)").WithTags("Presence");
        return app;
    }

    public static async Task<IResult> ConnectAsync(HttpContext context, ClaimsPrincipal principal, PresenceHub hub, ILogger<PresenceHub> logger)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return Problem(StatusCodes.Status400BadRequest, "This endpoint speaks WebSocket only.");
        }
        if (!IsSameOrigin(context.Request))
        {
            return Problem(StatusCodes.Status403Forbidden, "Cross-site WebSocket connections are not allowed.");
        }

        var user = principal.GetCurrentUser();
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new PresenceConnection(user.Id, user.UserName, user.SessionId, socket);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var writer = connection.RunWriterAsync(stop.Token);
        try
        {
            await hub.OpenAsync(connection);
            await ReceiveUntilClosedAsync(connection, stop.Token);
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
        {
            logger.LogDebug(exception, "Presence socket of {User} ended", user.UserName);
        }
        finally
        {
            await stop.CancelAsync();
            await hub.CloseAsync(connection);
            await writer.ContinueWith(_ => { }, TaskScheduler.Default);
        }
        return TypedResults.Empty;
    }

    private static async Task ReceiveUntilClosedAsync(PresenceConnection connection, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxMessageBytes];
        var socket = connection.Socket;
        while (socket.State == WebSocketState.Open)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                if (length == buffer.Length)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, "Messages are limited to 4 KB.", cancellationToken);
                    return;
                }
                result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                length += result.Count;
            }
            while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

            if (result.MessageType == WebSocketMessageType.Close)
            {
                // The client's answer to our close (the session ended) needs none back.
                if (socket.State == WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
                }
                return;
            }
            if (IsPing(buffer.AsSpan(0, length)))
            {
                connection.Send(PresenceMessages.Pong);
            }
        }
    }

    private static bool IsPing(ReadOnlySpan<byte> message)
    {
        try
        {
            var reader = new Utf8JsonReader(message);
            using var document = JsonDocument.ParseValue(ref reader);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("type", out var type)
                && type.ValueEquals("ping");
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// Browsers send Origin on WebSocket handshakes; it must be the origin the browser addressed: scheme and host as
    /// the gateway forwarded them (ServiceDefaults' GatewayForwardedHeaders applied them to the request). Non-browser
    /// clients send no Origin and need the cookie all the same.
    /// </summary>
    private static bool IsSameOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        if (string.IsNullOrEmpty(origin))
        {
            return true;
        }
        return Uri.TryCreate(origin, UriKind.Absolute, out var originUri)
            && string.Equals(originUri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(originUri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }
}
