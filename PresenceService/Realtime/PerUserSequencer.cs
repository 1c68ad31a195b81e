namespace AudioStream.PresenceService.Realtime;

/// <summary>
/// Runs the work queued for one user strictly in order, and different users' work side by side: one user's events
/// keep the order they came in (a listener count never overtakes the end of the stream it counts) without one slow
/// user holding up everyone else.
/// </summary>
public sealed class PerUserSequencer(ILogger logger)
{
    private readonly Dictionary<Guid, Task> _tails = [];
    private readonly Lock _gate = new();

    /// <summary>Queues <paramref name="work"/> behind the user's earlier work; the task completes when it has run (it never faults).</summary>
    public Task Enqueue(Guid userId, Func<Task> work)
    {
        lock (_gate)
        {
            var previous = _tails.GetValueOrDefault(userId) ?? Task.CompletedTask;
            // On the pool, never inline: the work must not run under the gate.
            var next = previous.ContinueWith(_ => RunAsync(work), CancellationToken.None, TaskContinuationOptions.DenyChildAttach, TaskScheduler.Default)
                .Unwrap();
            _tails[userId] = next;
            _ = ForgetWhenDoneAsync(userId, next);
            return next;
        }
    }

    private async Task RunAsync(Func<Task> work)
    {
        try
        {
            await work();
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "Could not relay an event");
        }
    }

    /// <summary>Drops the user's entry once their last queued work is done, so idle users cost nothing.</summary>
    private async Task ForgetWhenDoneAsync(Guid userId, Task last)
    {
        await last;
        lock (_gate)
        {
            if (_tails.TryGetValue(userId, out var tail) && tail == last)
            {
                _tails.Remove(userId);
            }
        }
    }
}
