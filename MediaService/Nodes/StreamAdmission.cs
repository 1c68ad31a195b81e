using Microsoft.Extensions.Options;

namespace AudioStream.MediaService.Nodes;

/// <summary>
/// Counts this node's live streams against <see cref="MediaNodeOptions.MaxStreams"/>. The gateway places streams by the
/// registry's figures, so two placements at once can both pick a node's last free slot; the node itself takes slots
/// atomically and refuses the one too many. A slot is taken before the stream's row is written and given back once,
/// when the stream ends or fails to start.
/// </summary>
public sealed class StreamAdmission(IOptions<MediaNodeOptions> options)
{
    /// <summary>When to try again once every slot is taken: streams last minutes, but another node may join sooner.</summary>
    public const int RetryAfterSeconds = 10;

    private int _taken;

    public int Max { get; } = options.Value.MaxStreams;

    /// <summary>Slots taken: live streams and streams starting.</summary>
    public int Count => Volatile.Read(ref _taken);

    public bool TryTake()
    {
        for (;;)
        {
            int taken = Volatile.Read(ref _taken);
            if (taken >= Max)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _taken, taken + 1, taken) == taken)
            {
                return true;
            }
        }
    }

    public void Release() => Interlocked.Decrement(ref _taken);
}
