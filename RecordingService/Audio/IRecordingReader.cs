namespace AudioStream.RecordingService.Audio;

/// <summary>A stored track read back as 16-bit PCM from its start, whatever its file format.</summary>
public interface IRecordingReader : IDisposable
{
    int SampleRate { get; }

    /// <summary>Samples the track holds (mono), as its file says.</summary>
    long Samples { get; }

    /// <summary>Fills <paramref name="destination"/> with the next samples; returns how many (fewer only at the end).</summary>
    int Read(Span<short> destination);
}
