using System.Buffers.Binary;
using AudioStream.MediaService.Live;
using Google.Protobuf;
using Grpc.Core;

namespace AudioStream.MediaService.Grpc;

/// <summary>
/// <c>MediaStream.Subscribe</c>: a live stream's audio from now until it ends, as 20 ms chunks of 16-bit PCM
/// (what a WAV holds, half the bytes of float). The subscriber gets its own drop-oldest queue
/// (<see cref="LiveOptions.SubscriberQueueSeconds"/>); sequence numbers count what was sent, sample offsets show any gap.
/// <c>MediaStream.ListLive</c>: the streams live now, for consumers catching up on missed start events.
/// </summary>
public sealed class MediaStreamService(LiveStreamManager streams, MediaMetrics metrics, ILogger<MediaStreamService> logger) : MediaStream.MediaStreamBase
{
    public override async Task Subscribe(SubscribeRequest request, IServerStreamWriter<AudioChunk> responseStream, ServerCallContext context)
    {
        var stream = request.StreamCase switch
        {
            SubscribeRequest.StreamOneofCase.StreamId => Guid.TryParse(request.StreamId, out var id)
                ? streams.Find(id)
                : throw new RpcException(new Status(StatusCode.InvalidArgument, "stream_id is a GUID (the live session id).")),
            SubscribeRequest.StreamOneofCase.Username => streams.FindByName(request.Username),
            _ => throw new RpcException(new Status(StatusCode.InvalidArgument, "Give stream_id or username.")),
        };
        if (stream is null || stream.IsEnded)
        {
            throw new RpcException(new Status(StatusCode.NotFound, "No such live stream."));
        }

        var track = request.Track == Track.Raw ? stream.Raw : stream.Processed;
        using var subscription = track.Subscribe(stream.SubscriberQueueCapacity, "grpc", metrics.FrameDropped);
        logger.LogInformation("gRPC subscriber on {Track} track of stream {SessionId}", track.Track, stream.SessionId);
        ulong sequence = 0;
        await foreach (var frame in subscription.Reader.ReadAllAsync(context.CancellationToken))
        {
            await responseStream.WriteAsync(new AudioChunk
            {
                Sequence = sequence++,
                SampleOffset = (ulong)frame.SampleOffset,
                StreamTimeMs = (ulong)(frame.SampleOffset * 1000 / MediaFrame.SampleRate),
                SampleRate = MediaFrame.SampleRate,
                Pcm = UnsafeByteOperations.UnsafeWrap(ToPcm16(frame.Samples)),
                IsSilenceFill = frame.IsSilenceFill,
            });
        }
    }

    public override Task<ListLiveResponse> ListLive(ListLiveRequest request, ServerCallContext context)
    {
        var response = new ListLiveResponse();
        response.Streams.AddRange(streams.Streams.Where(s => !s.IsEnded).Select(s => new LiveStream
        {
            StreamId = s.SessionId.ToString(),
            OwnerId = s.OwnerId.ToString(),
            OwnerName = s.OwnerName,
            Title = s.Title ?? string.Empty,
            Denoise = s.Denoise,
            StartedAtUnixMs = s.StartedAt.ToUnixTimeMilliseconds(),
        }));
        return Task.FromResult(response);
    }

    /// <summary>Float [-1, 1] to signed 16-bit little-endian, rounded and clipped.</summary>
    public static byte[] ToPcm16(ReadOnlySpan<float> samples)
    {
        var bytes = new byte[samples.Length * 2];
        for (int i = 0; i < samples.Length; i++)
        {
            float scaled = MathF.Round(samples[i] * 32767f);
            short value = (short)Math.Clamp(scaled, short.MinValue, short.MaxValue);
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(i * 2), value);
        }

        return bytes;
    }
}
