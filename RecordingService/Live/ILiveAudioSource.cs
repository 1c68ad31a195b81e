using AudioStream.RecordingService.Audio;

namespace AudioStream.RecordingService.Live;

/// <summary>Which live stream to follow: by session id when the start event named it, else by its owner's name.</summary>
public sealed record LiveStreamRef(Guid? StreamId, string OwnerName)
{
    public override string ToString() => StreamId?.ToString() ?? $"@{OwnerName}";
}

/// <param name="Sequence">Per subscription, 0, 1, 2 … without gaps.</param>
/// <param name="SampleOffset">Position of the first sample on the track's timeline.</param>
/// <param name="Pcm">Mono signed 16-bit little-endian PCM.</param>
public readonly record struct LiveChunk(ulong Sequence, long SampleOffset, ReadOnlyMemory<byte> Pcm);

/// <summary>The stream is unknown or over: nothing more will come.</summary>
public sealed class LiveStreamNotFoundException(string message) : Exception(message);

/// <summary>A live stream's audio as a server-side subscriber gets it (MediaService's gRPC <c>Subscribe</c>).</summary>
public interface ILiveAudioSource
{
    /// <summary>
    /// Chunks from now until the stream ends (the enumeration then completes). Throws
    /// <see cref="LiveStreamNotFoundException"/> when the stream is unknown or over; any other exception is a lost
    /// subscription that may be taken up again.
    /// </summary>
    IAsyncEnumerable<LiveChunk> SubscribeAsync(LiveStreamRef stream, RecordingTrack track, CancellationToken cancellationToken);
}
