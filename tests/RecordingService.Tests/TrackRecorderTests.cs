using System.Runtime.CompilerServices;
using AudioStream.RecordingService.Audio;
using AudioStream.RecordingService.Live;
using Microsoft.Extensions.Logging.Abstractions;

namespace AudioStream.RecordingService.Tests;

public sealed class TrackRecorderTests : IDisposable
{
    private const int Rate = WavFormat.DefaultSampleRate;
    private const int Chunk = 960;
    private static readonly LiveStreamRef Stream = new(Guid.NewGuid(), "alice");
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_subscription_lost_and_resumed_leaves_silence_for_the_missed_audio()
    {
        // First subscription: 0.5 s then the connection drops. Second: the stream is 1.5 s further on, runs 0.5 s, ends.
        var source = new ScriptedSource(
            Subscription(0, Rate / 2, thenFail: true),
            Subscription(Rate * 2, Rate / 2, thenFail: false));
        var path = _folder.File("gap.wav");
        using var writer = WavRecordingWriter.Create(path);

        var result = await Recorder(source).RunAsync(Stream, RecordingTrack.Processed, writer, CancellationToken.None);
        writer.Complete();

        Assert.Equal(TrackOutcome.Ended, result.Outcome);
        Assert.Equal(1, result.Resubscribes);
        Assert.Equal(Rate * 3 / 2, result.SilenceSamples);
        var samples = Pcm.ReadSamples(path);
        Assert.Equal(Rate * 5 / 2, samples.Length);
        Assert.Equal(0, samples[Rate]);
        Assert.Equal(Pcm.RampValue(Rate * 2), samples[Rate * 2]);
    }

    [Fact]
    public async Task A_stream_that_is_gone_when_taken_up_again_ends_the_track()
    {
        var source = new ScriptedSource(Subscription(0, Rate / 10, thenFail: true), NotFound());
        using var writer = WavRecordingWriter.Create(_folder.File("gone.wav"));

        var result = await Recorder(source).RunAsync(Stream, RecordingTrack.Processed, writer, CancellationToken.None);

        Assert.Equal(TrackOutcome.Ended, result.Outcome);
        Assert.Equal(Rate / 10, result.Samples);
    }

    [Fact]
    public async Task A_subscription_that_cannot_be_taken_up_again_is_reported_lost()
    {
        var source = new ScriptedSource(Subscription(0, Chunk, thenFail: true), Failing(), Failing());
        using var writer = WavRecordingWriter.Create(_folder.File("lost.wav"));
        var recorder = new TrackRecorder(source, TimeProvider.System, NullLogger.Instance) { RetryDelays = [TimeSpan.Zero, TimeSpan.Zero] };

        var result = await recorder.RunAsync(Stream, RecordingTrack.Processed, writer, CancellationToken.None);

        Assert.Equal(TrackOutcome.Lost, result.Outcome);
        Assert.Equal(Chunk, result.Samples);
    }

    [Fact]
    public async Task A_storage_error_stops_the_track_as_write_failed_without_retrying()
    {
        var source = new ScriptedSource(Subscription(0, Rate, thenFail: false));
        using var sink = new FailingSink(failAfter: 3);

        var result = await Recorder(source).RunAsync(Stream, RecordingTrack.Processed, sink, CancellationToken.None);

        Assert.Equal(TrackOutcome.WriteFailed, result.Outcome);
        Assert.IsType<IOException>(result.Error);
        Assert.Equal(0, result.Resubscribes);
    }

    private static TrackRecorder Recorder(ILiveAudioSource source) =>
        new(source, TimeProvider.System, NullLogger.Instance) { RetryDelays = [TimeSpan.Zero] };

    private static Func<IAsyncEnumerable<LiveChunk>> Subscription(long from, int samples, bool thenFail) => () => Chunks(from, samples, thenFail);

    private static Func<IAsyncEnumerable<LiveChunk>> NotFound() => () => Throwing(new LiveStreamNotFoundException("over"));

    private static Func<IAsyncEnumerable<LiveChunk>> Failing() => () => Throwing(new InvalidOperationException("unavailable"));

    private static async IAsyncEnumerable<LiveChunk> Chunks(long from, int samples, bool thenFail)
    {
        ulong sequence = 0;
        for (long offset = from; offset < from + samples; offset += Chunk)
        {
            await Task.Yield();
            yield return new LiveChunk(sequence++, offset, Pcm.Ramp(offset, Chunk));
        }
        if (thenFail)
        {
            throw new InvalidOperationException("connection reset");
        }
    }

    private static async IAsyncEnumerable<LiveChunk> Throwing(Exception error)
    {
        await Task.Yield();
        if (error is not null)
        {
            throw error;
        }
        yield break;
    }

    private sealed class ScriptedSource(params Func<IAsyncEnumerable<LiveChunk>>[] subscriptions) : ILiveAudioSource
    {
        private int _next;

        public async IAsyncEnumerable<LiveChunk> SubscribeAsync(LiveStreamRef stream, RecordingTrack track, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var subscription = _next < subscriptions.Length ? subscriptions[_next++] : NotFound();
            await foreach (var chunk in subscription().WithCancellation(cancellationToken))
            {
                yield return chunk;
            }
        }
    }

    private sealed class FailingSink(int failAfter) : IRecordingSink
    {
        private int _writes;

        public long SamplesWritten { get; private set; }

        public long SilenceSamples => 0;

        public void Write(long sampleOffset, ReadOnlySpan<byte> pcm16)
        {
            if (++_writes > failAfter)
            {
                throw new IOException("No space left on device");
            }
            SamplesWritten += pcm16.Length / 2;
        }

        public void Complete()
        {
        }

        public void Dispose()
        {
        }
    }
}
