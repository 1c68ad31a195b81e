using System.Runtime.CompilerServices;
using AudioStream.MediaService.Grpc;
using AudioStream.RecordingService.Audio;
using AudioStream.RecordingService.Live;
using Grpc.Core;

namespace AudioStream.RecordingService.Grpc;

/// <summary>MediaService's <c>MediaStream.Subscribe</c> as an <see cref="ILiveAudioSource"/>, at the node that holds the stream.</summary>
public sealed class GrpcLiveAudioSource(MediaNodeClients nodes) : ILiveAudioSource
{
    public async IAsyncEnumerable<LiveChunk> SubscribeAsync(
        LiveStreamRef stream, RecordingTrack track, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new SubscribeRequest { Track = track == RecordingTrack.Original ? Track.Raw : Track.Processed };
        if (stream.StreamId is { } id)
        {
            request.StreamId = id.ToString();
        }
        else
        {
            request.Username = stream.OwnerName;
        }

        var client = await nodes.ForStreamAsync(stream);
        using var call = client.Subscribe(request, cancellationToken: cancellationToken);
        var chunks = call.ResponseStream;
        while (true)
        {
            try
            {
                if (!await chunks.MoveNext(cancellationToken))
                {
                    yield break;
                }
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                throw new LiveStreamNotFoundException(ex.Status.Detail);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            var chunk = chunks.Current;
            yield return new LiveChunk(chunk.Sequence, (long)chunk.SampleOffset, chunk.Pcm.Memory);
        }
    }
}
