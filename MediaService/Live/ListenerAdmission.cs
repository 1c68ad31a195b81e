using Microsoft.Extensions.Options;

namespace AudioStream.MediaService.Live;

/// <summary>
/// Counts the WHEP sessions of this instance against <see cref="ListenerLimits"/>. A slot is taken before the peer is
/// created and given back once, when the session ends for whatever reason. One lock covers the check and the count, so
/// parallel offers can never take more slots than a limit allows.
/// </summary>
public sealed class ListenerAdmission(IOptions<ListenerLimits> options)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, int> _perUser = [];
    private readonly Dictionary<Guid, int> _perStream = [];
    private int _node;

    public ListenerLimits Limits { get; } = options.Value;

    /// <summary>Sessions open on this instance.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _node;
            }
        }
    }

    /// <summary>The limit a session would break (node first: it says nothing about the user), or a slot to hold.</summary>
    public ListenerSlot? TryAdmit(Guid userId, Guid streamId, out ListenerLimit refused)
    {
        lock (_gate)
        {
            refused = _node >= Limits.MaxPerNode ? ListenerLimit.PerNode
                : _perStream.GetValueOrDefault(streamId) >= Limits.MaxPerStream ? ListenerLimit.PerStream
                : _perUser.GetValueOrDefault(userId) >= Limits.MaxPerUser ? ListenerLimit.PerUser
                : ListenerLimit.None;
            if (refused != ListenerLimit.None)
            {
                return null;
            }

            _node++;
            _perStream[streamId] = _perStream.GetValueOrDefault(streamId) + 1;
            _perUser[userId] = _perUser.GetValueOrDefault(userId) + 1;
            return new ListenerSlot(this, userId, streamId);
        }
    }

    /// <summary>The sessions <paramref name="userId"/> holds.</summary>
    public int CountOf(Guid userId)
    {
        lock (_gate)
        {
            return _perUser.GetValueOrDefault(userId);
        }
    }

    internal void Release(ListenerSlot slot)
    {
        lock (_gate)
        {
            _node--;
            Decrement(_perStream, slot.StreamId);
            Decrement(_perUser, slot.UserId);
        }
    }

    private static void Decrement(Dictionary<Guid, int> counts, Guid key)
    {
        int count = counts[key] - 1;
        if (count == 0)
        {
            counts.Remove(key);
        }
        else
        {
            counts[key] = count;
        }
    }
}
