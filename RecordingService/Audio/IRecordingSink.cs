namespace AudioStream.RecordingService.Audio;

/// <summary>
/// Where a live track's audio goes as it arrives. Chunks are placed by their position on the stream's timeline,
/// so a gap (a dropped or resumed subscription) becomes silence and an overlap (a resumed subscription that
/// repeats audio) is written once.
/// </summary>
public interface IRecordingSink : IDisposable
{
    /// <summary>Samples on the timeline so far (silence fill included).</summary>
    long SamplesWritten { get; }

    /// <summary>Samples of silence inserted for gaps so far.</summary>
    long SilenceSamples { get; }

    /// <param name="sampleOffset">Where <paramref name="pcm16"/>'s first sample lies on the stream's timeline.</param>
    /// <param name="pcm16">Mono signed 16-bit little-endian PCM.</param>
    /// <exception cref="IOException">The audio could not be stored (disk full, I/O error).</exception>
    void Write(long sampleOffset, ReadOnlySpan<byte> pcm16);

    /// <summary>Final header, flushed to disk; the sink takes no more audio.</summary>
    void Complete();
}
