namespace AudioStream.RecordingService.Audio.Ogg;

/// <summary>The header_type flags of an Ogg page (RFC 3533 §6).</summary>
[Flags]
public enum OggHeaderType : byte
{
    None = 0,

    /// <summary>The page's first packet continues one begun on the previous page.</summary>
    Continued = 0x01,

    /// <summary>Beginning of stream: the stream's first page.</summary>
    BeginningOfStream = 0x02,

    /// <summary>End of stream: the stream's last page.</summary>
    EndOfStream = 0x04,
}
