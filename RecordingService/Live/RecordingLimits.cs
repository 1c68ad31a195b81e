using AudioStream.RecordingService.Audio;
using AudioStream.RecordingService.Infrastructure;
using AudioStream.RecordingService.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AudioStream.RecordingService.Live;

/// <summary>
/// The limits on recording (<see cref="RecordingLimitsOptions"/>): looked at when a recording starts and, through each
/// recording's <see cref="RecordingBudget"/>, while it is written. Reaching one stops the recording, never the stream.
/// </summary>
public sealed class RecordingLimits(IOptions<RecordingLimitsOptions> options, RecordingStorage storage, TimeProvider time)
{
    /// <summary>How often a recording being written looks at its owner's quota and the disk's free space (a few stat calls).</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(2);

    public long QuotaBytesPerUser => options.Value.QuotaBytesPerUser;

    public long MinFreeBytes => options.Value.MinFreeBytes;

    /// <summary>The longest recording, in samples of the recording's timeline.</summary>
    public long MaxSamples => (long)Math.Max(0, options.Value.MaxHours * 3600 * WavFormat.DefaultSampleRate);

    /// <summary>
    /// Bytes the owner's recordings other than <paramref name="except"/> take: what the finished ones stored, what the
    /// ones being written have on disk now.
    /// </summary>
    public async Task<long> UsedByAsync(RecordingDbContext db, Guid ownerId, Guid except, CancellationToken cancellationToken)
    {
        var recordings = await db.Recordings.AsNoTracking()
            .Where(r => r.OwnerId == ownerId && r.Id != except)
            .Select(r => new { r.Id, r.Status, r.SizeBytes })
            .ToListAsync(cancellationToken);
        return recordings.Sum(r => r.Status == RecordingStatus.Recording ? storage.SizeOf(r.Id) : r.SizeBytes);
    }

    /// <summary>Why a user whose recordings take <paramref name="usedBytes"/> may record no more (a <see cref="RecordingStopReasons"/> value), or null.</summary>
    public string? Check(long usedBytes)
    {
        if (usedBytes >= QuotaBytesPerUser)
        {
            return RecordingStopReasons.Quota;
        }
        return FreeBytes() < MinFreeBytes ? RecordingStopReasons.DiskFull : null;
    }

    /// <summary>The limits one recording is written under; <paramref name="otherBytes"/> is what its owner's other recordings take.</summary>
    public RecordingBudget Budget(Guid recordingId, long otherBytes) =>
        new(this, MaxSamples, () => storage.SizeOf(recordingId), otherBytes, time);

    private long FreeBytes()
    {
        try
        {
            return new DriveInfo(storage.Root).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // A disk that cannot be asked is not called full: writing to it fails on its own (a failed recording).
            return long.MaxValue;
        }
    }
}
