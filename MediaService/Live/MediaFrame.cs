namespace AudioStream.MediaService.Live;

/// <summary>
/// One 20 ms frame of a stream's track (48 kHz mono, 960 samples; only a stream's last frame may be shorter).
/// Frames are immutable once published and shared by every consumer.
/// </summary>
/// <param name="Samples">PCM in [-1, 1].</param>
/// <param name="SampleOffset">Position of the first sample on the track's timeline.</param>
/// <param name="ArrivalTimestamp">When the ingest frame holding the first sample arrived (<see cref="TimeProvider"/> timestamp).</param>
/// <param name="IsSilenceFill">Holds samples the server inserted for a gap in what the sender sent.</param>
/// <param name="ReleaseTimestamp">When listeners should play it (the stream's playout clock); raw frames: their arrival.</param>
public sealed record MediaFrame(float[] Samples, long SampleOffset, long ArrivalTimestamp, bool IsSilenceFill, long ReleaseTimestamp)
{
    /// <summary>Listeners leave this (quiet) frame out to catch up with the planned delay; recordings keep it.</summary>
    public bool SkipForListeners { get; init; }

    public const int SampleRate = 48000;
    public const int Samples20Ms = 960;
}
