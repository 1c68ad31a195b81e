using System.Diagnostics.Metrics;

namespace AudioStream.MediaService.Live;

/// <summary>
/// The <c>AudioStream.Media</c> meter: live streams, listeners, ingest→egress latency and frames dropped for slow
/// consumers. The denoiser's real-time factor is on its own meter (<c>AudioStream.Denoiser</c>, <c>audiostream.denoiser.rtf</c>).
/// </summary>
public sealed class MediaMetrics
{
    public const string MeterName = "AudioStream.Media";

    private readonly UpDownCounter<long> _activeStreams;
    private readonly UpDownCounter<long> _listeners;
    private readonly Histogram<double> _latency;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _ended;
    private readonly Counter<long> _revoked;

    public MediaMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _activeStreams = meter.CreateUpDownCounter<long>("audiostream.media.streams.active", "{stream}", "Live streams on this instance.");
        _listeners = meter.CreateUpDownCounter<long>("audiostream.media.listeners", "{listener}", "Connected WHEP listeners.");
        _latency = meter.CreateHistogram<double>(
            "audiostream.media.latency", "ms", "From an ingest frame's arrival to its processed audio being sent to a listener.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [20, 50, 100, 150, 200, 300, 500, 1000, 1500, 2000, 2500, 3000, 4000, 6000] });
        _dropped = meter.CreateCounter<long>(
            "audiostream.media.frames.dropped", "{frame}", "Frames a slow consumer lost (consumer: listener|grpc; reason: overflow|late).");
        _ended = meter.CreateCounter<long>("audiostream.media.streams.ended", "{stream}", "Streams ended, by reason.");
        _revoked = meter.CreateCounter<long>(
            "audiostream.media.listeners.revoked", "{listener}", "Listeners hung up on because they lost the right to listen (reason: unfriended|signed-out).");
    }

    public void StreamStarted() => _activeStreams.Add(1);

    public void StreamEnded(string reason)
    {
        _activeStreams.Add(-1);
        _ended.Add(1, new KeyValuePair<string, object?>("reason", reason));
    }

    public void ListenerConnected() => _listeners.Add(1);

    public void ListenerLeft() => _listeners.Add(-1);

    public void ListenersRevoked(int count, string reason) => _revoked.Add(count, new KeyValuePair<string, object?>("reason", reason));

    public void RecordLatency(TimeSpan latency, bool denoised) =>
        _latency.Record(latency.TotalMilliseconds, new KeyValuePair<string, object?>("denoise", denoised));

    public void FrameDropped(string consumer, string reason) =>
        _dropped.Add(1, new KeyValuePair<string, object?>("consumer", consumer), new KeyValuePair<string, object?>("reason", reason));
}
