namespace AudioStream.RecordingService.Audio;

/// <summary>How a track is stored: Ogg Opus since recordings became compact, 16-bit WAV before (still played).</summary>
public enum RecordingFormat
{
    OggOpus,
    Wav,
}
