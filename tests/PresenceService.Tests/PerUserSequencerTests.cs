using AudioStream.PresenceService.Realtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace AudioStream.PresenceService.Tests;

public sealed class PerUserSequencerTests
{
    [Fact]
    public async Task One_users_work_runs_in_the_order_queued_while_another_users_work_is_not_held_up()
    {
        var sequencer = new PerUserSequencer(NullLogger.Instance);
        var alice = Guid.NewGuid();
        var bob = Guid.NewGuid();
        var release = new TaskCompletionSource();
        var order = new List<int>();

        // Alice's first event is slow (it waits for the release); her later ones must not overtake it.
        var first = sequencer.Enqueue(alice, async () =>
        {
            await release.Task;
            lock (order)
            {
                order.Add(1);
            }
        });
        var later = Enumerable.Range(2, 50).Select(i => sequencer.Enqueue(alice, () =>
        {
            lock (order)
            {
                order.Add(i);
            }
            return Task.CompletedTask;
        })).ToList();

        // Meanwhile bob's event runs at once, and a failing one stops nothing.
        await sequencer.Enqueue(bob, () => throw new InvalidOperationException("a broken handler")).WaitAsync(TimeSpan.FromSeconds(5));
        await sequencer.Enqueue(bob, () => Task.CompletedTask).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(first.IsCompleted);
        Assert.Empty(order);

        release.SetResult();
        await Task.WhenAll(later.Prepend(first)).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(Enumerable.Range(1, 51), order);
    }
}
