namespace AudioStream.MediaService.Denoising.Streaming;

/// <summary>Names of the ways a live stream is denoised, as configuration, stats and logs say them.</summary>
public static class DenoiserModes
{
    /// <summary>Frame by frame with the model's state carried between calls (whole-file quality, 40 ms).</summary>
    public const string Stateful = "stateful";

    /// <summary>Chunks with left context and a crossfade (the seed's setting: seconds of delay).</summary>
    public const string Chunked = "chunked";

    /// <summary>No model: audio unchanged.</summary>
    public const string PassThrough = "pass-through";
}
