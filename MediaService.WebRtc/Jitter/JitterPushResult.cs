namespace AudioStream.MediaService.WebRtc.Jitter;

public enum JitterPushResult
{
    Accepted,
    Duplicate,

    /// <summary>Arrived after its slot was played out or declared lost.</summary>
    Late,

    /// <summary>Jumped further than the buffer spans: everything buffered was dropped and playout restarts here.</summary>
    Resynchronized,
}
