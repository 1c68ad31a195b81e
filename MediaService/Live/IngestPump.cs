using AudioStream.MediaService.Denoising.Streaming;
using AudioStream.MediaService.WebRtc;

namespace AudioStream.MediaService.Live;

/// <summary>
/// Turns the broadcaster's decoded frames into a stream's two tracks. Raw: the microphone as decoded, on the sender's
/// timeline (gaps in its RTP timestamps filled with silence). Processed: with denoise on, the denoiser's output, cut
/// back into frames and timed from each frame's sample offset; with denoise off, the raw frames. Processed frames are
/// scheduled for listeners by the stream's <see cref="PlayoutClock"/>. Nothing downstream can slow the pump: tracks
/// fan out through drop-oldest queues.
/// </summary>
public sealed class IngestPump
{
    /// <summary>Gaps in the sender's RTP timestamps longer than this are a new start, not silence to fill.</summary>
    private const int MaxFillSamples = 10 * MediaFrame.SampleRate;

    private static readonly float[] Silence = new float[MediaFrame.Samples20Ms];

    private readonly IStreamDenoiser? _denoiser;
    private readonly PlayoutClock _playout;
    private readonly FrameBroadcaster _raw;
    private readonly FrameBroadcaster _processed;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Guid _sessionId;
    private readonly StreamTimeline _timeline;
    private readonly RealTimeBudget _budget;
    private readonly FrameAssembler _rawFrames;
    private readonly FrameAssembler? _processedFrames;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IngestPeer? _peer;
    private int _finished;
    private bool _warnedAhead;

    public IngestPump(
        Guid sessionId, IStreamDenoiser? denoiser, PlayoutClock playout, FrameBroadcaster raw, FrameBroadcaster processed,
        TimeProvider time, ILogger logger)
    {
        _sessionId = sessionId;
        _denoiser = denoiser;
        _playout = playout;
        _raw = raw;
        _processed = processed;
        _time = time;
        _logger = logger;
        _timeline = new StreamTimeline(time);
        _budget = new RealTimeBudget(time);
        _rawFrames = new FrameAssembler(OnRawFrame);
        if (denoiser is not null)
        {
            // Denoised audio arrives in blocks of any size: each frame is timed by when its raw frame arrived.
            _processedFrames = new FrameAssembler(frame => _processed.Publish(
                _playout.Schedule(frame with { ArrivalTimestamp = _timeline.ArrivalOf(frame.SampleOffset, frame.ArrivalTimestamp) })));
            _ = Task.Run(RunDenoisedOutputAsync);
        }
        else
        {
            _completion.TrySetResult();
        }
    }

    /// <summary>The broadcaster's peer; null before WHIP.</summary>
    public IngestPeer? Peer => Volatile.Read(ref _peer);

    /// <summary>20 ms frames of the sender's timeline refused for running ahead of the wall clock (see <see cref="RealTimeBudget"/>).</summary>
    public long FramesAheadOfRealTime => _budget.DroppedSamples / MediaFrame.Samples20Ms;

    /// <summary>Completes when both tracks have ended (after the peer closed and the denoiser flushed).</summary>
    public Task Completion => _completion.Task;

    /// <summary>Starts pumping <paramref name="peer"/>'s frames; false when a peer is already attached.</summary>
    public bool TryAttach(IngestPeer peer)
    {
        if (Interlocked.CompareExchange(ref _peer, peer, null) is not null)
        {
            return false;
        }

        _ = Task.Run(() => RunAsync(peer));
        return true;
    }

    /// <summary>Ends the tracks: closes the peer (the pump then drains) or, with none attached, finishes at once.</summary>
    public void Stop()
    {
        if (Volatile.Read(ref _peer) is { } peer)
        {
            peer.Dispose();
        }
        else
        {
            FinishInput();
        }
    }

    private async Task RunAsync(IngestPeer peer)
    {
        uint? expected = null;
        try
        {
            await foreach (var frame in peer.Frames.ReadAllAsync())
            {
                long arrival = _time.GetTimestamp();
                if (expected is uint next)
                {
                    int gap = unchecked((int)(frame.RtpTimestamp - next));
                    if (gap is > 0 and <= MaxFillSamples)
                    {
                        FillSilence(_budget.AdmitSilence(gap), arrival);
                    }
                }

                expected = unchecked(frame.RtpTimestamp + (uint)frame.Samples.Length);
                if (_budget.TryAdmit(frame.Samples.Length))
                {
                    Feed(frame.Samples, arrival, isSilenceFill: false);
                }
                else if (!_warnedAhead)
                {
                    _warnedAhead = true;
                    _logger.LogWarning("Stream {SessionId} sends audio faster than real time: frames ahead of the clock are dropped", _sessionId);
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _logger.LogError(ex, "Ingest pump of stream {SessionId} failed", _sessionId);
        }
        finally
        {
            FinishInput();
        }
    }

    private void FillSilence(int samples, long arrival)
    {
        while (samples > 0)
        {
            int take = Math.Min(samples, Silence.Length);
            Feed(Silence.AsSpan(0, take), arrival, isSilenceFill: true);
            samples -= take;
        }
    }

    private void Feed(ReadOnlySpan<float> samples, long arrival, bool isSilenceFill)
    {
        _rawFrames.Append(samples, arrival, isSilenceFill);
        _denoiser?.Write(samples);
    }

    private void OnRawFrame(MediaFrame frame)
    {
        _timeline.Record(frame.SampleOffset, frame.ArrivalTimestamp);
        _raw.Publish(frame);
        if (_denoiser is null)
        {
            _processed.Publish(_playout.Schedule(frame));
        }
    }

    private void FinishInput()
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0)
        {
            return;
        }

        _rawFrames.Flush();
        _raw.Complete();
        if (_denoiser is null)
        {
            _processed.Complete();
        }
        else
        {
            _denoiser.Complete();
        }
    }

    private async Task RunDenoisedOutputAsync()
    {
        var denoiser = _denoiser!;
        try
        {
            await foreach (var block in denoiser.Output.ReadAllAsync())
            {
                if (block.SampleOffset != _processedFrames!.Position)
                {
                    _logger.LogWarning(
                        "Denoised audio of stream {SessionId} jumped from sample {Expected} to {Offset}", _sessionId, _processedFrames.Position, block.SampleOffset);
                }

                _processedFrames.Append(block.Samples, _time.GetTimestamp(), isSilenceFill: false);
            }

            _processedFrames!.Flush();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _logger.LogError(ex, "Denoised output pump of stream {SessionId} failed", _sessionId);
        }
        finally
        {
            _processed.Complete();
            await denoiser.DisposeAsync();
            _completion.TrySetResult();
        }
    }
}
