namespace AudioStream.MediaService.Live;

/// <summary>One admitted WHEP session's place under the <see cref="ListenerLimits"/>; disposing gives it back (once).</summary>
public sealed class ListenerSlot : IDisposable
{
    private readonly ListenerAdmission _admission;
    private int _released;

    internal ListenerSlot(ListenerAdmission admission, Guid userId, Guid streamId)
    {
        _admission = admission;
        UserId = userId;
        StreamId = streamId;
    }

    public Guid UserId { get; }

    public Guid StreamId { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _admission.Release(this);
        }
    }
}
