using AudioStream.MediaService.Grpc;
using AudioStream.RecordingService.Live;

namespace AudioStream.RecordingService.Grpc;

/// <summary>MediaService's <c>MediaStream.ListLive</c> of every media node as an <see cref="ILiveStreamDirectory"/>.</summary>
public sealed class GrpcLiveStreamDirectory(MediaNodeClients nodes) : ILiveStreamDirectory
{
    public async Task<IReadOnlyList<StreamStart>> ListLiveAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var responses = await Task.WhenAll((await nodes.AllAsync()).Select(client => client.ListLiveAsync(new ListLiveRequest(), cancellationToken: timeout.Token).ResponseAsync));
        return [.. responses.SelectMany(response => response.Streams)
            .Where(s => Guid.TryParse(s.StreamId, out _) && Guid.TryParse(s.OwnerId, out _))
            .Select(s => new StreamStart(Guid.Parse(s.OwnerId), s.OwnerName, Guid.Parse(s.StreamId), s.Title.Length > 0 ? s.Title : null, s.Denoise))];
    }
}
