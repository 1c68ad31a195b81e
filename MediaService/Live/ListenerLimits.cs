namespace AudioStream.MediaService.Live;

/// <summary>
/// Configuration section <c>Media:Listeners</c>: how many WHEP sessions may be open at once on this instance. A session
/// counts from its WHEP POST until its peer closes for any reason (hang-up, consent lapsed, never connected, stream end),
/// connected or not: an offer that never connects costs a peer until the connect timeout closes it.
/// </summary>
public sealed class ListenerLimits
{
    public const string SectionName = "Media:Listeners";

    /// <summary>Sessions one listening user may hold at once (a few tabs or devices), across streams.</summary>
    public int MaxPerUser { get; set; } = 3;

    /// <summary>Sessions on one stream (the load benchmark kept 300 listeners of one stream without loss).</summary>
    public int MaxPerStream { get; set; } = 300;

    /// <summary>Sessions on this instance, all streams together (~0.2 % of a core and ~0.1 MB each when connected).</summary>
    public int MaxPerNode { get; set; } = 500;

    /// <summary>The <c>Retry-After</c> a refused listener is told: listeners come and go, so a slot may free soon.</summary>
    public int RetryAfterSeconds { get; set; } = 10;
}
