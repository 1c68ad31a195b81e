using AudioStream.RecordingService.Audio;

namespace AudioStream.RecordingService.Live;

public enum TrackOutcome
{
    /// <summary>The stream ended (the subscription completed, or the stream was gone when taken up again).</summary>
    Ended,

    /// <summary>The subscription was lost and could not be taken up again within the retry budget.</summary>
    Lost,

    /// <summary>Storing the audio failed (disk full, I/O error); <see cref="TrackResult.Error"/> says why.</summary>
    WriteFailed,

    /// <summary>A limit of the <see cref="RecordingBudget"/> was reached; <see cref="TrackResult.StopReason"/> says which. The stream goes on.</summary>
    LimitReached,

    /// <summary>The service is shutting down.</summary>
    Cancelled,
}

public sealed record TrackResult(TrackOutcome Outcome, long Samples, long SilenceSamples, int Resubscribes, Exception? Error = null, string? StopReason = null);

/// <summary>
/// Follows one track of a live stream into a sink until the stream ends. A lost subscription is taken up again
/// (with back-off); the audio it missed is filled with silence by the sink from the chunks' timeline positions.
/// With a <see cref="RecordingBudget"/>, the track stops where the budget runs out.
/// </summary>
public sealed class TrackRecorder(ILiveAudioSource source, TimeProvider time, ILogger logger)
{
    /// <summary>Back-off before the n-th attempt to take a lost subscription up again; after the last, give up.</summary>
    public IReadOnlyList<TimeSpan> RetryDelays { get; init; } =
        [.. new[] { 0.1, 0.2, 0.5, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2 }.Select(TimeSpan.FromSeconds)];

    public event Action? Resubscribing;

    public Task<TrackResult> RunAsync(LiveStreamRef stream, RecordingTrack track, IRecordingSink sink, CancellationToken cancellationToken) =>
        RunAsync(stream, track, sink, budget: null, cancellationToken);

    public async Task<TrackResult> RunAsync(
        LiveStreamRef stream, RecordingTrack track, IRecordingSink sink, RecordingBudget? budget, CancellationToken cancellationToken)
    {
        var resubscribes = 0;
        var failures = 0;
        while (true)
        {
            try
            {
                await foreach (var chunk in source.SubscribeAsync(stream, track, cancellationToken))
                {
                    var offset = chunk.SampleOffset;
                    var pcm = chunk.Pcm.Span;
                    string? limit = null;
                    if (budget is not null && budget.SamplesThatFit(offset, pcm.Length / 2) is var fits && fits < pcm.Length / 2)
                    {
                        // The recording ends exactly at its longest: the part before (or silence up to it) is written.
                        offset = Math.Min(offset, budget.MaxSamples);
                        pcm = pcm[..(fits * 2)];
                        limit = budget.Stop(RecordingStopReasons.MaxLength);
                    }
                    try
                    {
                        sink.Write(offset, pcm);
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        return Result(TrackOutcome.WriteFailed, ex);
                    }
                    if ((limit ?? budget?.CheckStorage()) is { } reached)
                    {
                        return Result(TrackOutcome.LimitReached, stopReason: reached);
                    }
                    failures = 0;
                }
                return Result(TrackOutcome.Ended);
            }
            catch (LiveStreamNotFoundException)
            {
                return Result(TrackOutcome.Ended);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return Result(TrackOutcome.Cancelled);
            }
            catch (Exception ex)
            {
                if (failures >= RetryDelays.Count)
                {
                    logger.LogWarning(ex, "Gave up on the {Track} track of stream {Stream} after {Attempts} attempts", track, stream, failures);
                    return Result(TrackOutcome.Lost, ex);
                }
                logger.LogInformation("Lost the {Track} track of stream {Stream} ({Error}); subscribing again", track, stream, ex.Message);
                try
                {
                    await Task.Delay(RetryDelays[failures++], time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return Result(TrackOutcome.Cancelled);
                }
                resubscribes++;
                Resubscribing?.Invoke();
            }
        }

        TrackResult Result(TrackOutcome outcome, Exception? error = null, string? stopReason = null) =>
            new(outcome, sink.SamplesWritten, sink.SilenceSamples, resubscribes, error, stopReason);
    }
}
