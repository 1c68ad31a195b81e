using System.Runtime.CompilerServices;
using AudioStream.RecordingService.Audio;
using AudioStream.RecordingService.Live;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AudioStream.RecordingService.Tests;

/// <summary>
/// The limits on a recording, with real Ogg Opus files on the real disk: the longest recording, the owner's storage
/// quota and the disk's free-space floor each stop the track (its stream is not this class's to end) and say why.
/// </summary>
public sealed class RecordingLimitsTests : IDisposable
{
    private const int Rate = WavFormat.DefaultSampleRate;
    private const int Chunk = 960;
    private static readonly LiveStreamRef Stream = new(Guid.NewGuid(), "alice");
    private readonly TempFolder _folder = new();
    private readonly ManualClock _clock = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_recording_that_reaches_its_longest_ends_exactly_there_as_max_length()
    {
        var (limits, storage) = Create(new RecordingLimitsOptions { MaxHours = 0.00101 });
        var id = Guid.NewGuid();
        Assert.NotEqual(0, limits.MaxSamples % Chunk); // the limit falls inside a chunk: that chunk is cut

        var result = await RecordAsync(storage, limits, id, seconds: 10);

        Assert.Equal(TrackOutcome.LimitReached, result.Outcome);
        Assert.Equal(RecordingStopReasons.MaxLength, result.StopReason);
        Assert.Equal(limits.MaxSamples, result.Samples);
        Assert.Equal((double)limits.MaxSamples / Rate, storage.DurationOf(id, RecordingTrack.Processed), 6);
    }

    [Fact]
    public async Task A_gap_past_the_longest_recording_is_filled_only_up_to_it()
    {
        var (limits, storage) = Create(new RecordingLimitsOptions { MaxHours = 1.0 / 3600 });
        var id = Guid.NewGuid();
        using var sink = storage.CreateWriter(id, RecordingTrack.Processed, _clock);
        var budget = limits.Budget(id, otherBytes: 0);

        // Half a second of audio, then a chunk placed 9 s on: the silence before it stops at the 1 s limit.
        var result = await new TrackRecorder(new OneSubscription(Chunks(0, Rate / 2), Chunks(9 * Rate, Chunk)), _clock, NullLogger.Instance)
            .RunAsync(Stream, RecordingTrack.Processed, sink, budget, CancellationToken.None);
        sink.Complete();

        Assert.Equal(RecordingStopReasons.MaxLength, result.StopReason);
        Assert.Equal(Rate, result.Samples);
        Assert.Equal(Rate / 2, result.SilenceSamples);
    }

    [Fact]
    public async Task Passing_the_storage_quota_stops_the_recording_within_a_check_interval_as_quota()
    {
        const long Quota = 40_000; // ~10 s of 32 kbit/s Opus, less what the owner's other recordings take
        var (limits, storage) = Create(new RecordingLimitsOptions { QuotaBytesPerUser = Quota, MinFreeBytes = 0 });
        var id = Guid.NewGuid();

        var result = await RecordAsync(storage, limits, id, seconds: 60, otherBytes: Quota / 2);

        Assert.Equal(TrackOutcome.LimitReached, result.Outcome);
        Assert.Equal(RecordingStopReasons.Quota, result.StopReason);
        var bytes = storage.SizeOf(id);
        Assert.True(bytes >= Quota / 2, $"stopped at {bytes} B, before the Quota's remaining {Quota / 2} B");
        // Checked every 2 s: at most that much audio (4 KB/s), a page or two of lag on disk, passes the quota.
        Assert.True(bytes <= (Quota / 2) + 16_000, $"{bytes} B written against {Quota / 2} B left");
        Assert.InRange((double)result.Samples / Rate, 3, 10);
    }

    [Fact]
    public void An_owner_at_the_quota_is_refused_at_the_start()
    {
        var (limits, _) = Create(new RecordingLimitsOptions { QuotaBytesPerUser = 1000, MinFreeBytes = 0 });

        Assert.Null(limits.Check(999));
        Assert.Equal(RecordingStopReasons.Quota, limits.Check(1000));
    }

    [Fact]
    public async Task A_disk_below_the_free_space_floor_refuses_recording_and_stops_one_under_way_as_disk_full()
    {
        var free = new DriveInfo(_folder.Path).AvailableFreeSpace;
        var (limits, storage) = Create(new RecordingLimitsOptions { MinFreeBytes = free + (1L << 30) });
        var id = Guid.NewGuid();

        Assert.Equal(RecordingStopReasons.DiskFull, limits.Check(0));
        var result = await RecordAsync(storage, limits, id, seconds: 30);

        Assert.Equal(TrackOutcome.LimitReached, result.Outcome);
        Assert.Equal(RecordingStopReasons.DiskFull, result.StopReason);
        // The first look is one check interval after the start.
        Assert.Equal(RecordingLimits.CheckInterval.TotalSeconds, (double)result.Samples / Rate, 1);
    }

    [Fact]
    public void Reasons_are_described_for_the_owner()
    {
        Assert.Contains("quota", RecordingStopReasons.Describe(RecordingStopReasons.Quota), StringComparison.Ordinal);
        Assert.Contains("disk space", RecordingStopReasons.Describe(RecordingStopReasons.DiskFull), StringComparison.Ordinal);
        Assert.Contains("longest", RecordingStopReasons.Describe(RecordingStopReasons.MaxLength), StringComparison.Ordinal);
        Assert.Null(RecordingStopReasons.Describe(null));
    }

    private (RecordingLimits Limits, RecordingStorage Storage) Create(RecordingLimitsOptions options)
    {
        var storage = new RecordingStorage(Options.Create(new RecordingStorageOptions { StorageRoot = _folder.Path }));
        return (new RecordingLimits(Options.Create(options), storage, _clock), storage);
    }

    /// <summary>Speech paced on the test's clock (20 ms a chunk) into a real Ogg Opus track; the track is completed.</summary>
    private async Task<TrackResult> RecordAsync(RecordingStorage storage, RecordingLimits limits, Guid id, int seconds, long otherBytes = 0)
    {
        using var sink = storage.CreateWriter(id, RecordingTrack.Processed, _clock);
        var budget = limits.Budget(id, otherBytes);
        var result = await new TrackRecorder(new OneSubscription(Chunks(0, seconds * Rate)), _clock, NullLogger.Instance)
            .RunAsync(Stream, RecordingTrack.Processed, sink, budget, CancellationToken.None);
        sink.Complete();
        return result;
    }

    private IEnumerable<LiveChunk> Chunks(long from, int samples)
    {
        for (long offset = from; offset < from + samples; offset += Chunk)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(20));
            yield return new LiveChunk(0, offset, Speech.Pcm(offset, Chunk));
        }
    }

    /// <summary>One subscription that delivers the given chunks, then ends as the stream does.</summary>
    private sealed class OneSubscription(params IEnumerable<LiveChunk>[] parts) : ILiveAudioSource
    {
        public async IAsyncEnumerable<LiveChunk> SubscribeAsync(LiveStreamRef stream, RecordingTrack track, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            foreach (var chunk in parts.SelectMany(part => part))
            {
                await Task.Yield();
                yield return chunk;
            }
        }
    }
}
