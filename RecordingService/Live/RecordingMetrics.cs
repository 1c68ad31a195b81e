using System.Diagnostics.Metrics;

namespace AudioStream.RecordingService.Live;

/// <summary>Meter <c>AudioStream.Recordings</c> (ServiceDefaults exports every <c>AudioStream.*</c> meter).</summary>
public sealed class RecordingMetrics : IDisposable
{
    public const string MeterName = "AudioStream.Recordings";

    private readonly Meter _meter;
    private readonly Counter<long> _started;
    private readonly Counter<long> _finished;
    private readonly Counter<long> _writeErrors;
    private readonly Counter<long> _limitsReached;
    private readonly Counter<long> _resubscribes;
    private readonly Counter<double> _silenceSeconds;
    private readonly UpDownCounter<long> _active;

    public RecordingMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _started = _meter.CreateCounter<long>("audiostream.recordings.started", description: "Recordings begun");
        _finished = _meter.CreateCounter<long>("audiostream.recordings.finished", description: "Recordings ended, by status");
        _writeErrors = _meter.CreateCounter<long>("audiostream.recordings.write_errors", description: "Recordings stopped by a storage error (disk full, I/O)");
        _limitsReached = _meter.CreateCounter<long>("audiostream.recordings.limits_reached", description: "Recordings stopped (the stream going on) by a limit, by reason");
        _resubscribes = _meter.CreateCounter<long>("audiostream.recordings.resubscribes", description: "Lost live subscriptions taken up again");
        _silenceSeconds = _meter.CreateCounter<double>("audiostream.recordings.silence_filled", unit: "s", description: "Gaps filled with silence");
        _active = _meter.CreateUpDownCounter<long>("audiostream.recordings.active", description: "Recordings being written");
    }

    public void Started()
    {
        _started.Add(1);
        _active.Add(1);
    }

    public void Finished(string status, double silence)
    {
        _finished.Add(1, new KeyValuePair<string, object?>("status", status));
        _active.Add(-1);
        if (silence > 0)
        {
            _silenceSeconds.Add(silence);
        }
    }

    public void WriteError() => _writeErrors.Add(1);

    public void LimitReached(string reason) => _limitsReached.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Resubscribed() => _resubscribes.Add(1);

    public void Dispose() => _meter.Dispose();
}
