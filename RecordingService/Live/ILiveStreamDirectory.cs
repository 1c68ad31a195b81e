namespace AudioStream.RecordingService.Live;

/// <summary>The streams live on MediaService now (its gRPC <c>ListLive</c>).</summary>
public interface ILiveStreamDirectory
{
    Task<IReadOnlyList<StreamStart>> ListLiveAsync(CancellationToken cancellationToken);
}
