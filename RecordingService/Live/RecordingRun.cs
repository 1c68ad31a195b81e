using AudioStream.RecordingService.Audio;

namespace AudioStream.RecordingService.Live;

/// <summary>Why a recording stopped being written here before its stream ended on its own.</summary>
public enum RecordingRunStop
{
    /// <summary>Another instance holds the lease now: it carries the recording on; this one leaves the files as they are.</summary>
    LeaseLost,

    /// <summary>The subscription went quiet and no media node holds the stream any more: the recording ends with what arrived.</summary>
    StreamLost,
}

/// <summary>One recording this instance holds the lease of: claimed, then written until it ends or is stopped.</summary>
public sealed class RecordingRun(Guid id, DateTimeOffset claimedAt) : IDisposable
{
    private readonly CancellationTokenSource _stopped = new();
    private long _samplesAtLastLook = -1;

    public Guid Id => id;

    /// <summary>Cancelled by <see cref="Stop"/>.</summary>
    public CancellationToken Stopped => _stopped.Token;

    public RecordingRunStop? StopReason { get; private set; }

    /// <summary>When this instance last extended the lease (or took it).</summary>
    public DateTimeOffset LeaseRenewedAt { get; set; } = claimedAt;

    /// <summary>The processed track's writer once writing began; its progress tells a live subscription from a quiet one.</summary>
    public IRecordingSink? Progress { get; set; }

    public Task Completion { get; set; } = Task.CompletedTask;

    /// <summary>True when no audio arrived since the previous look (a broken or stalled subscription, or a silent broadcaster).</summary>
    public bool WentQuiet()
    {
        if (Progress is not { } progress)
        {
            return false;
        }
        var samples = progress.SamplesWritten;
        var quiet = samples == Interlocked.Exchange(ref _samplesAtLastLook, samples);
        return quiet;
    }

    public void Stop(RecordingRunStop reason)
    {
        lock (_stopped)
        {
            if (StopReason is not null)
            {
                return;
            }
            StopReason = reason;
        }
        try
        {
            _stopped.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Finished meanwhile: nothing left to stop.
        }
    }

    public void Dispose() => _stopped.Dispose();
}
