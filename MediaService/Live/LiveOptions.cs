namespace AudioStream.MediaService.Live;

/// <summary>Configuration section <c>Live</c>: how live streams are timed.</summary>
public sealed class LiveOptions
{
    public const string SectionName = "Live";

    /// <summary>A stream whose broadcaster has not connected (WHIP + ICE + DTLS) this long after it was created ends.</summary>
    public double IngestTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// Playout delay added on top of the denoiser's own delay before listeners hear a frame: it absorbs processing
    /// time and jitter. When a frame is ready later than planned, the stream's delay grows by that much (like a jitter
    /// buffer) and comes back in pauses (<see cref="PlayoutClock"/>). Unset: 40 ms for frame-by-frame denoising and
    /// streams without it, 100 ms for chunks (a 2 s chunk's inference takes tens of milliseconds at once).
    /// </summary>
    public double? PlayoutMarginMilliseconds { get; set; }

    /// <summary>A listener more than this far behind the playout clock skips frames until it is on time again.</summary>
    public double ListenerLagToleranceMilliseconds { get; set; } = 200;

    /// <summary>Audio a gRPC subscriber may have queued before its oldest chunks are dropped.</summary>
    public double SubscriberQueueSeconds { get; set; } = 10;

    /// <summary>
    /// How often every listener's friendship with the broadcaster and sign-in session are checked again. Unfriending and
    /// logout hang up at once through events; this is the bound when an event was missed.
    /// </summary>
    public double AccessCheckSeconds { get; set; } = 10;

    public TimeSpan IngestTimeout => TimeSpan.FromSeconds(IngestTimeoutSeconds);

    /// <summary>The playout margin for a stream denoised in <paramref name="denoiserMode"/> (null: not denoised).</summary>
    public TimeSpan PlayoutMarginFor(string? denoiserMode) => TimeSpan.FromMilliseconds(
        PlayoutMarginMilliseconds ?? (denoiserMode == Denoising.Streaming.DenoiserModes.Chunked ? 100 : 40));

    public TimeSpan AccessCheckInterval => TimeSpan.FromSeconds(Math.Max(1, AccessCheckSeconds));

    public TimeSpan ListenerLagTolerance => TimeSpan.FromMilliseconds(ListenerLagToleranceMilliseconds);
}
