using System.Diagnostics.Metrics;

namespace AudioStream.RecordingService.Live;

/// <summary>Meter <c>AudioStream.Recordings</c> (ServiceDefaults exports every <c>AudioStream.*</c> meter).</summary>
public sealed class RecordingMetrics : IDisposable
{
    public const string MeterName = "AudioStream.Recordings";

    private readonly Meter meter;
    private readonly Counter<long> started;
    private readonly Counter<long> finished;
    private readonly Counter<long> writeErrors;
    private readonly Counter<long> limitsReached;
    private readonly Counter<long> resubscribes;
    private readonly Counter<double> silenceSeconds;
    private readonly UpDownCounter<long> active;

    public RecordingMetrics(IMeterFactory meters)
    {
        meter = meters.Create(MeterName);
        started = meter.CreateCounter<long>("audiostream.recordings.started", description: "Recordings begun");
        finished = meter.CreateCounter<long>("audiostream.recordings.finished", description: "Recordings ended, by status");
        writeErrors = meter.CreateCounter<long>("audiostream.recordings.write_errors", description: "Recordings stopped by a storage error (disk full, I/O)");
        limitsReached = meter.CreateCounter<long>("audiostream.recordings.limits_reached", description: "Recordings stopped (the stream going on) by a limit, by reason");
        resubscribes = meter.CreateCounter<long>("audiostream.recordings.resubscribes", description: "Lost live subscriptions taken up again");
        silenceSeconds = meter.CreateCounter<double>("audiostream.recordings.silence_filled", unit: "s", description: "Gaps filled with silence");
        active = meter.CreateUpDownCounter<long>("audiostream.recordings.active", description: "Recordings being written");
    }

    public void Started()
    {
        started.Add(1);
        active.Add(1);
    }

    public void Finished(string status, double silence)
    {
        finished.Add(1, new KeyValuePair<string, object?>("status", status));
        active.Add(-1);
        if (silence > 0)
        {
            silenceSeconds.Add(silence);
        }
    }

    public void WriteError() => writeErrors.Add(1);

    public void LimitReached(string reason) => limitsReached.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Resubscribed() => resubscribes.Add(1);

    public void Dispose() => meter.Dispose();
}
