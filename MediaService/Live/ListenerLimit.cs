namespace AudioStream.MediaService.Live;

/// <summary>Which of the <see cref="ListenerLimits"/> refused a WHEP session.</summary>
public enum ListenerLimit
{
    None,
    PerUser,
    PerStream,
    PerNode,
}
