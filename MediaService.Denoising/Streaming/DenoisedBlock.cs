namespace AudioStream.MediaService.Denoising.Streaming;

/// <summary>
/// Denoised audio in stream order. <see cref="SampleOffset"/> is where its first sample lies on the stream's input
/// timeline (sample n of the output is the cleaned sample n of the input), so a consumer times it from the offset.
/// </summary>
public sealed record DenoisedBlock(long SampleOffset, float[] Samples);
