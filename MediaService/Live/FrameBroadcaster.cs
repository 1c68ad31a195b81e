using System.Collections.Immutable;
using System.Threading.Channels;

namespace AudioStream.MediaService.Live;

/// <summary>
/// Fans one track out to its consumers. Each consumer has its own bounded queue that drops its oldest frame when
/// full, so a slow consumer loses its own audio and never holds up the stream or anyone else.
/// </summary>
public sealed class FrameBroadcaster(string track)
{
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ImmutableArray<FrameSubscription> _subscriptions = [];
    private bool _completed;

    public string Track { get; } = track;

    /// <summary>Completes when the track ends (<see cref="Complete"/>), before its queues have drained.</summary>
    public Task Ended => _ended.Task;

    /// <summary>A queue of the frames published from now on; already complete when the track has ended.</summary>
    public FrameSubscription Subscribe(int capacity, string consumer, Action<string, string>? onDropped = null)
    {
        var subscription = new FrameSubscription(this, capacity, consumer, onDropped);
        lock (_gate)
        {
            if (_completed)
            {
                subscription.Complete();
            }
            else
            {
                _subscriptions = _subscriptions.Add(subscription);
            }
        }

        return subscription;
    }

    public void Publish(MediaFrame frame)
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Offer(frame);
        }
    }

    /// <summary>Ends the track: every queue completes once drained.</summary>
    public void Complete()
    {
        ImmutableArray<FrameSubscription> subscriptions;
        lock (_gate)
        {
            _completed = true;
            subscriptions = _subscriptions;
            _subscriptions = [];
        }

        foreach (var subscription in subscriptions)
        {
            subscription.Complete();
        }

        _ended.TrySetResult();
    }

    internal void Remove(FrameSubscription subscription)
    {
        lock (_gate)
        {
            _subscriptions = _subscriptions.Remove(subscription);
        }
    }
}

/// <summary>One consumer's bounded, drop-oldest queue on a <see cref="FrameBroadcaster"/>. Dispose to leave.</summary>
public sealed class FrameSubscription : IDisposable
{
    private readonly FrameBroadcaster _owner;
    private readonly Channel<MediaFrame> _channel;
    private long _dropped;

    internal FrameSubscription(FrameBroadcaster owner, int capacity, string consumer, Action<string, string>? onDropped)
    {
        _owner = owner;
        Consumer = consumer;
        _channel = Channel.CreateBounded<MediaFrame>(
            new BoundedChannelOptions(Math.Max(1, capacity)) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true },
            _ =>
            {
                Interlocked.Increment(ref _dropped);
                onDropped?.Invoke(consumer, "overflow");
            });
    }

    public string Consumer { get; }

    public ChannelReader<MediaFrame> Reader => _channel.Reader;

    /// <summary>Frames dropped because this queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    internal void Offer(MediaFrame frame) => _channel.Writer.TryWrite(frame);

    internal void Complete() => _channel.Writer.TryComplete();

    public void Dispose()
    {
        _owner.Remove(this);
        Complete();
    }
}
