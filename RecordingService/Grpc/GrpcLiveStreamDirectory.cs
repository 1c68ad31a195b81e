using AudioStream.MediaService.Grpc;
using AudioStream.RecordingService.Live;

namespace AudioStream.RecordingService.Grpc;

/// <summary>MediaService's <c>MediaStream.ListLive</c> as an <see cref="ILiveStreamDirectory"/>.</summary>
public sealed class GrpcLiveStreamDirectory(MediaStream.MediaStreamClient client) : ILiveStreamDirectory
{
    public async Task<IReadOnlyList<StreamStart>> ListLiveAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var response = await client.ListLiveAsync(new ListLiveRequest(), cancellationToken: timeout.Token);
        return [.. response.Streams
            .Where(s => Guid.TryParse(s.StreamId, out _) && Guid.TryParse(s.OwnerId, out _))
            .Select(s => new StreamStart(Guid.Parse(s.OwnerId), s.OwnerName, Guid.Parse(s.StreamId), s.Title.Length > 0 ? s.Title : null, s.Denoise))];
    }
}
