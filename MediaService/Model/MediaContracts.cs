namespace AudioStream.MediaService.Model;

/// <param name="Denoise">Clean the audio with DeepFilterNet before listeners and recordings get it.</param>
/// <param name="Title">Shown with the recording; up to 200 characters.</param>
public sealed record StartStreamRequest(bool Denoise, string? Title = null);

/// <param name="Track">What a WHEP listener hears: "processed" (cleaned) or "original" (the microphone as sent).</param>
public sealed record ListenerTrackRequest(string? Track);

public sealed record StreamStartedResponse(Guid SessionId, string WhipUrl, DateTimeOffset StartedAt, bool Denoise);

/// <param name="RecordingId">The recording of the stream: RecordingService keys it by the session id (it exists once audio arrived).</param>
public sealed record StreamEndedResponse(Guid SessionId, double DurationSeconds, Guid? RecordingId);

public sealed record StreamStatsResponse(
    string Username,
    Guid SessionId,
    DateTimeOffset StartedAt,
    bool Denoise,
    int Listeners,
    double DurationSeconds,
    DenoiserStatus Denoiser,
    string? Title,
    bool Connected,
    double LatencyMs,
    StreamDelivery Delivery,
    StreamRecordingStatus Recording);

/// <summary>Whether the stream is being recorded, as RecordingService last announced it (recording events on Redis).</summary>
/// <param name="State">
/// pending (no recorder has taken the stream up yet), recording, or stopped: the stream goes on live, unrecorded.
/// </param>
/// <param name="Reason">Why it stopped: quota, disk-full, max-length or failed; null unless stopped.</param>
/// <param name="Message">What the owner is told about it, worded by RecordingService; null unless stopped.</param>
public sealed record StreamRecordingStatus(string State, string? Reason = null, string? Message = null)
{
    public const string PendingState = "pending";
    public const string RecordingState = "recording";
    public const string StoppedState = "stopped";

    public static readonly StreamRecordingStatus Pending = new(PendingState);
    public static readonly StreamRecordingStatus Recording = new(RecordingState);

    public bool IsStopped => State == StoppedState;
}

/// <summary>How well the stream is getting through, for operators and the load benchmark.</summary>
/// <param name="PlannedLatencyMs">Arrival-to-playout delay planned at the start (denoiser delay + playout margin); <c>LatencyMs</c> is what it is now.</param>
/// <param name="PacketsReceived">RTP packets from the broadcaster, authenticated.</param>
/// <param name="PacketsLost">Broadcaster packets that never arrived (gaps in sequence numbers).</param>
/// <param name="FramesConcealed">20 ms frames the Opus decoder made up for lost packets.</param>
/// <param name="ListenerFramesDropped">Frames listeners lost because they fell behind (all listeners, since the start).</param>
/// <param name="FramesSkippedToCatchUp">Quiet frames listeners left out to bring a grown delay back to the plan (recordings keep them).</param>
/// <param name="FramesAheadOfRealTime">Broadcaster audio refused (in 20 ms frames, silence fill included) because its timestamps ran ahead of the wall clock by more than a second.</param>
public sealed record StreamDelivery(
    double PlannedLatencyMs, long PacketsReceived, long PacketsLost, long FramesConcealed, long ListenerFramesDropped, long FramesSkippedToCatchUp,
    long FramesAheadOfRealTime);

/// <param name="Available">The model is loaded and runs (otherwise audio passes through unchanged).</param>
/// <param name="Provider">cuda, cpu or none.</param>
/// <param name="Reason">Why denoising is unavailable; null when it is available.</param>
/// <param name="Mode">How this stream is denoised: stateful (frame by frame), chunked, pass-through (no model) or off.</param>
/// <param name="AddedDelayMs">Delay the denoiser adds to this stream (processing time aside): 40 frame by frame, 0 when off.</param>
public sealed record DenoiserStatus(bool Available, string Provider, string? Reason, string Mode, double AddedDelayMs);
