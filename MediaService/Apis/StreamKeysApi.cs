using System.Security.Claims;
using AudioStream.MediaService.Infrastructure;
using AudioStream.MediaService.Live;
using AudioStream.MediaService.Model;
using AudioStream.MediaService.Security;
using AudioStream.ServiceDefaults;
using AudioStream.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using static AudioStream.ServiceDefaults.ProblemResults;

namespace AudioStream.MediaService.Apis;

/// <summary>
/// Stream keys: what OBS, GStreamer or whip-client send as their WHIP Bearer token. Managed from the signed-in page
/// (session cookie); the secret is shown once, at creation.
/// </summary>
public static class StreamKeysApi
{
    public const int MaxNameLength = 64;
    public const int MaxKeysPerUser = 10;
    public const string ReasonKeyRevoked = "key-revoked";

    public static RouteGroupBuilder MapStreamKeysApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/media/keys").WithTags("Stream keys").RequireAuthorization();
        api.MapPost("/", CreateAsync).WithName("CreateStreamKey").WithSummary("Create a stream key for a WHIP client (the secret is shown once)");
        api.MapGet("/", ListAsync).WithName("ListStreamKeys").WithSummary("Your stream keys, without their secrets");
        api.MapDelete("/{id:guid}", RevokeAsync).WithName("RevokeStreamKey").WithSummary("Revoke a stream key (ends a stream it is live with)");
        return api;
    }

    public static async Task<Results<Created<StreamKeyCreatedResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateStreamKeyRequest request, ClaimsPrincipal principal, MediaDbContext db, TimeProvider time)
    {
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength)
        {
            return Invalid("name", $"Name the key (1 to {MaxNameLength} characters), e.g. \"OBS at home\".", "The stream key is not valid.");
        }

        var me = principal.GetCurrentUser();
        var secret = StreamKeySecret.Create();
        var key = await db.InTransactionAsync(async () =>
        {
            // One user's creations take turns from here to the commit, so parallel ones cannot all pass the count.
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({"stream-keys:" + me.Id}, 0))");
            if (await db.StreamKeys.CountAsync(k => k.OwnerId == me.Id) >= MaxKeysPerUser)
            {
                return null;
            }
            var key = new StreamKey
            {
                OwnerId = me.Id,
                OwnerName = me.UserName,
                Name = name,
                SecretHash = StreamKeySecret.Hash(secret)!,
                CreatedAt = time.GetUtcNow(),
            };
            db.StreamKeys.Add(key);
            await db.SaveChangesAsync();
            return key;
        });
        if (key is null)
        {
            return Problem(StatusCodes.Status409Conflict,
                $"You have {MaxKeysPerUser} stream keys, the most one user may have.",
                "Revoke a key you no longer use, then create the new one.");
        }
        return TypedResults.Created($"/api/media/keys/{key.Id}", new StreamKeyCreatedResponse(key.Id, key.Name, secret, key.CreatedAt));
    }

    public static async Task<Ok<StreamKeyResponse[]>> ListAsync(ClaimsPrincipal principal, MediaDbContext db)
    {
        var me = principal.GetCurrentUser();
        var keys = await db.StreamKeys.Where(k => k.OwnerId == me.Id).OrderBy(k => k.CreatedAt)
            .Select(k => new StreamKeyResponse(k.Id, k.Name, k.CreatedAt, k.LastUsedAt))
            .ToArrayAsync();
        return TypedResults.Ok(keys);
    }

    /// <summary>
    /// Someone revoking a key expects whatever uses it to stop: a stream that went live with it ends now, not at
    /// the client's next reconnect. Another user's key is answered as if it did not exist.
    /// </summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        Guid id, ClaimsPrincipal principal, MediaDbContext db, LiveStreamManager streams)
    {
        var me = principal.GetCurrentUser();
        if (await db.StreamKeys.Where(k => k.Id == id && k.OwnerId == me.Id).ExecuteDeleteAsync() == 0)
        {
            return Problem(StatusCodes.Status404NotFound, "There is no such stream key.");
        }

        var liveWithKey = await db.Streams.Where(s => s.OwnerId == me.Id && s.EndedAt == null && s.StreamKeyId == id)
            .Select(s => (Guid?)s.Id).SingleOrDefaultAsync();
        if (liveWithKey is { } sessionId && streams.Find(sessionId) is { } stream)
        {
            await streams.EndAsync(stream, ReasonKeyRevoked);
        }

        return TypedResults.NoContent();
    }
}
