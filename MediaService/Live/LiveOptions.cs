namespace AudioStream.MediaService.Live;

/// <summary>Configuration section <c>Live</c>: how live streams are timed.</summary>
public sealed class LiveOptions
{
    public const string SectionName = "Live";

    /// <summary>A stream whose broadcaster has not connected (WHIP + ICE + DTLS) this long after it was created ends.</summary>
    public double IngestTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// Playout delay added on top of the denoiser's own (chunk) delay before listeners hear a frame: it absorbs the
    /// model's processing time and network jitter. When a frame is ready later than planned, the stream's delay grows
    /// by that much (like a jitter buffer); it never shrinks during a stream.
    /// </summary>
    public double PlayoutMarginMilliseconds { get; set; } = 100;

    /// <summary>A listener more than this far behind the playout clock skips frames until it is on time again.</summary>
    public double ListenerLagToleranceMilliseconds { get; set; } = 200;

    /// <summary>Audio a gRPC subscriber may have queued before its oldest chunks are dropped.</summary>
    public double SubscriberQueueSeconds { get; set; } = 10;

    /// <summary>Streams use the denoiser's low-latency preset unless the request says otherwise (default: the configured default settings).</summary>
    public bool LowLatencyByDefault { get; set; }

    public TimeSpan IngestTimeout => TimeSpan.FromSeconds(IngestTimeoutSeconds);

    public TimeSpan PlayoutMargin => TimeSpan.FromMilliseconds(PlayoutMarginMilliseconds);

    public TimeSpan ListenerLagTolerance => TimeSpan.FromMilliseconds(ListenerLagToleranceMilliseconds);
}
