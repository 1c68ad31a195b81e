using System.Globalization;
using System.Security.Claims;
using AudioStream.RecordingService.Audio;
using AudioStream.RecordingService.Infrastructure;
using AudioStream.RecordingService.Live;
using AudioStream.RecordingService.Model;
using AudioStream.ServiceDefaults.Messaging;
using AudioStream.ServiceDefaults.Rules;
using AudioStream.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using static AudioStream.ServiceDefaults.ProblemResults;

namespace AudioStream.RecordingService.Apis;

/// <summary>
/// Recordings of live streams: the owner and the owner's friends list and play them (with HTTP range requests for
/// seeking); only the owner renames or deletes. Ids are GUIDs in the route, so anything else is simply not found.
/// </summary>
public static class RecordingsApi
{
    public static RouteGroupBuilder MapRecordingsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/recordings").WithTags("Recordings").RequireAuthorization();
        api.MapGet("/", ListAsync).WithName("ListRecordings").WithSummary("A user's recordings (yours or a friend's), newest first");
        api.MapGet("/{id:guid}", GetAsync).WithName("GetRecording").WithSummary("A recording's metadata");
        api.MapGet("/{id:guid}/audio", GetAudioAsync).WithName("GetRecordingAudio")
            .WithSummary("The audio as stored (Ogg Opus, or WAV for older recordings; range requests supported); ?track=original for the un-denoised track, ?format=wav to convert");
        api.MapGet("/{id:guid}/download", DownloadAsync).WithName("DownloadRecording").WithSummary("The audio as an attachment (?format=wav converts)");
        api.MapGet("/{id:guid}/peaks", GetPeaksAsync).WithName("GetRecordingPeaks").WithSummary("The waveform: min/max pairs for drawing");
        api.MapPatch("/{id:guid}", RenameAsync).WithName("RenameRecording").WithSummary("Retitle your recording");
        api.MapDelete("/{id:guid}", DeleteAsync).WithName("DeleteRecording").WithSummary("Delete your recording and its files");
        return api;
    }

    public static async Task<Results<Ok<List<RecordingResponse>>, ValidationProblem, ProblemHttpResult>> ListAsync(
        string? owner, ClaimsPrincipal principal, RecordingDbContext db, RecordingAccess access, RecordingStorage storage,
        CancellationToken cancellationToken)
    {
        var me = principal.GetCurrentUser();
        owner ??= me.UserName;
        if (!UserNameRule.IsValidPrefix(owner))
        {
            return Invalid("owner", $"Give a user name: 1 to {UserNameRule.MaxLength} {UserNameRule.AllowedCharacters}.", "The owner is not valid.");
        }
        var ownerId = await access.ResolveViewableOwnerAsync(me, owner, cancellationToken);
        if (ownerId is null)
        {
            return Problem(StatusCodes.Status403Forbidden, "Only this user and their friends can see their recordings.");
        }
        var recordings = await db.Recordings.AsNoTracking()
            .Where(r => r.OwnerId == ownerId)
            .OrderByDescending(r => r.CreatedAt)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(recordings.Select(r => Describe(r, storage)).ToList());
    }

    public static async Task<Results<Ok<RecordingResponse>, ProblemHttpResult>> GetAsync(
        Guid id, ClaimsPrincipal principal, RecordingDbContext db, RecordingAccess access, RecordingStorage storage,
        CancellationToken cancellationToken)
    {
        var (recording, problem) = await FindViewableAsync(id, principal, db, access, cancellationToken);
        return recording is null ? problem! : TypedResults.Ok(Describe(recording, storage));
    }

    public static Task<Results<PhysicalFileHttpResult, WavConversionResult, ValidationProblem, ProblemHttpResult>> GetAudioAsync(
        Guid id, string? track, string? format, ClaimsPrincipal principal, RecordingDbContext db, RecordingAccess access,
        RecordingStorage storage, HttpResponse response, CancellationToken cancellationToken)
    {
        RevalidateEachTime(response);
        return ServeAudioAsync(id, track, format, download: false, principal, db, access, storage, cancellationToken);
    }

    public static Task<Results<PhysicalFileHttpResult, WavConversionResult, ValidationProblem, ProblemHttpResult>> DownloadAsync(
        Guid id, string? track, string? format, ClaimsPrincipal principal, RecordingDbContext db, RecordingAccess access,
        RecordingStorage storage, HttpResponse response, CancellationToken cancellationToken)
    {
        RevalidateEachTime(response);
        return ServeAudioAsync(id, track, format, download: true, principal, db, access, storage, cancellationToken);
    }

    /// <summary>
    /// A recording's files grow while it is live and change when it is repaired, under the same URL: without this a
    /// browser reuses what it fetched earlier by heuristic freshness (Last-Modified) and plays a stale, shorter file.
    /// </summary>
    private static void RevalidateEachTime(HttpResponse response) => response.Headers.CacheControl = "no-cache";

    public static async Task<Results<PhysicalFileHttpResult, ValidationProblem, ProblemHttpResult>> GetPeaksAsync(
        Guid id, string? track, ClaimsPrincipal principal, RecordingDbContext db, RecordingAccess access, RecordingStorage storage,
        HttpResponse response, CancellationToken cancellationToken)
    {
        RevalidateEachTime(response);
        if (!TryParseTrack(track, out var which))
        {
            return TrackProblem();
        }
        var (recording, problem) = await FindViewableAsync(id, principal, db, access, cancellationToken);
        if (recording is null)
        {
            return problem!;
        }
        if (which == RecordingTrack.Original && !recording.HasOriginal)
        {
            return Problem(StatusCodes.Status404NotFound, "This recording has no original track.");
        }
        if (recording.Status == RecordingStatus.Recording)
        {
            return Problem(StatusCodes.Status409Conflict, "The waveform is drawn when the recording ends.");
        }
        var path = storage.PeaksPath(id, which);
        if (!File.Exists(path))
        {
            // Recordings from before waveforms, or whose waveform could not be written then: draw it once now.
            try
            {
                storage.WritePeaks(id, which);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                return Problem(StatusCodes.Status404NotFound, "This recording has no audio to draw.");
            }
        }
        return TypedResults.PhysicalFile(path, "application/json");
    }

    public static async Task<Results<Ok<RecordingResponse>, ValidationProblem, ProblemHttpResult>> RenameAsync(
        Guid id, RenameRecordingRequest request, ClaimsPrincipal principal, RecordingDbContext db, RecordingStorage storage,
        RecordingEvents events, CancellationToken cancellationToken)
    {
        var (recording, problem) = await FindOwnedAsync(id, principal, db, "Only the owner can rename a recording.", cancellationToken);
        if (recording is null)
        {
            return problem!;
        }
        var title = request.Title?.Trim();
        if (string.IsNullOrEmpty(title) || title.Length > TitleRule.MaxLength)
        {
            return Invalid("title", $"Give a title of 1 to {TitleRule.MaxLength} characters.", "The title is not valid.");
        }
        recording.Title = title;
        await db.SaveChangesAsync(cancellationToken);
        await events.PublishAsync(RecordingEventTypes.Renamed, recording);
        return TypedResults.Ok(Describe(recording, storage));
    }

    /// <summary>
    /// Deletes a recording whose stream is over. While the stream is live the recording is refused deletion (409),
    /// even when it is no longer written (a limit stopped it, the audio was lost): deleted, the reconciler would find
    /// the live stream unrecorded and start its recording again.
    /// </summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, ClaimsPrincipal principal, RecordingDbContext db, RecordingStorage storage, RecordingEvents events,
        LiveRecorder recorder, ILiveStreamDirectory directory, HttpResponse response, CancellationToken cancellationToken)
    {
        var (recording, problem) = await FindOwnedAsync(id, principal, db, "Only the owner can delete a recording.", cancellationToken);
        if (recording is null)
        {
            return problem!;
        }
        if (recording.Status == RecordingStatus.Recording || recorder.IsWriting(id))
        {
            return Problem(StatusCodes.Status409Conflict, "The stream is still being recorded; stop the stream first, then delete the recording.");
        }
        if (recording.StreamId is { } streamId)
        {
            IReadOnlyList<StreamStart> live;
            try
            {
                live = await directory.ListLiveAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                response.Headers.RetryAfter = "5";
                return Problem(StatusCodes.Status503ServiceUnavailable, "Could not check whether the stream is still live; try again in a few seconds.");
            }
            if (live.Any(s => s.StreamId == streamId))
            {
                return Problem(StatusCodes.Status409Conflict, "The stream is still live; stop the stream first, then delete the recording.");
            }
        }
        // Files first: a row without files would be a broken entry, files without a row are only wasted space.
        storage.Delete(id);
        db.Recordings.Remove(recording);
        await db.SaveChangesAsync(cancellationToken);
        await events.PublishAsync(RecordingEventTypes.Deleted, recording);
        return TypedResults.NoContent();
    }

    private static async Task<Results<PhysicalFileHttpResult, WavConversionResult, ValidationProblem, ProblemHttpResult>> ServeAudioAsync(
        Guid id, string? track, string? format, bool download, ClaimsPrincipal principal, RecordingDbContext db, RecordingAccess access,
        RecordingStorage storage, CancellationToken cancellationToken)
    {
        if (!TryParseTrack(track, out var which))
        {
            return TrackProblem();
        }
        if (!string.IsNullOrEmpty(format) && !format.Equals("wav", StringComparison.OrdinalIgnoreCase))
        {
            return Invalid("format", "Leave the format out for the stored audio, or ask for format=wav.", "The format is not valid.");
        }
        var (recording, problem) = await FindViewableAsync(id, principal, db, access, cancellationToken);
        if (recording is null)
        {
            return problem!;
        }
        if ((which == RecordingTrack.Original && !recording.HasOriginal) || !storage.Exists(id, which))
        {
            return Problem(StatusCodes.Status404NotFound,
                which == RecordingTrack.Original ? "This recording has no original track." : "This recording's audio is missing.");
        }
        var stored = storage.FormatOf(id, which);
        var wanted = string.IsNullOrEmpty(format) ? stored : RecordingFormat.Wav;
        var name = download
            ? string.Create(CultureInfo.InvariantCulture,
                $"{recording.OwnerName}-{recording.CreatedAt.UtcDateTime:yyyyMMdd-HHmmss}{(which == RecordingTrack.Original ? "-original" : "")}{RecordingStorage.Extension(wanted)}")
            : null;
        if (wanted != stored)
        {
            try
            {
                return new WavConversionResult(storage.OpenReader(id, which), name);
            }
            catch (InvalidDataException)
            {
                return Problem(StatusCodes.Status404NotFound, "This recording's audio cannot be read.");
            }
        }
        // ASP.NET's range processing: 206 for a satisfiable Range, 416 for an unsatisfiable one, and a malformed
        // Range header is ignored (the whole file, 200), as RFC 9110 §14.2 allows.
        return TypedResults.PhysicalFile(storage.AudioPath(id, which), RecordingStorage.ContentType(stored), name, enableRangeProcessing: true);
    }

    private static async Task<(Recording? Recording, ProblemHttpResult? Problem)> FindViewableAsync(
        Guid id, ClaimsPrincipal principal, RecordingDbContext db, RecordingAccess access, CancellationToken cancellationToken)
    {
        var me = principal.GetCurrentUser();
        var recording = await db.Recordings.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (recording is null)
        {
            return (null, Problem(StatusCodes.Status404NotFound, "There is no such recording."));
        }
        if (!await access.MayViewAsync(me, recording.OwnerId, cancellationToken))
        {
            return (null, Problem(StatusCodes.Status403Forbidden, "Only the owner and their friends can play this recording."));
        }
        return (recording, null);
    }

    private static async Task<(Recording? Recording, ProblemHttpResult? Problem)> FindOwnedAsync(
        Guid id, ClaimsPrincipal principal, RecordingDbContext db, string notOwner, CancellationToken cancellationToken)
    {
        var me = principal.GetCurrentUser();
        var recording = await db.Recordings.SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (recording is null)
        {
            return (null, Problem(StatusCodes.Status404NotFound, "There is no such recording."));
        }
        return recording.OwnerId == me.Id ? (recording, null) : (null, Problem(StatusCodes.Status403Forbidden, notOwner));
    }

    /// <summary>A recording still being written reports what is on disk so far.</summary>
    private static RecordingResponse Describe(Recording recording, RecordingStorage storage)
    {
        if (recording.Status == RecordingStatus.Recording && storage.Exists(recording.Id, RecordingTrack.Processed))
        {
            recording.DurationSeconds = storage.DurationOf(recording.Id, RecordingTrack.Processed);
            recording.SizeBytes = storage.SizeOf(recording.Id);
        }
        return RecordingResponse.From(recording);
    }

    private static bool TryParseTrack(string? value, out RecordingTrack track)
    {
        track = RecordingTrack.Processed;
        if (string.IsNullOrEmpty(value) || value.Equals("processed", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        if (value.Equals("original", StringComparison.OrdinalIgnoreCase))
        {
            track = RecordingTrack.Original;
            return true;
        }
        return false;
    }

    private static ValidationProblem TrackProblem() =>
        Invalid("track", "Ask for track=processed (the default) or track=original.", "The track is not valid.");
}
