using AudioStream.IdentityService.Infrastructure;
using Microsoft.Extensions.Options;

namespace AudioStream.IdentityService.Tests;

public sealed class PasswordHashingGateTests
{
    [Fact]
    public async Task Past_the_running_hashes_and_the_queue_a_request_is_refused_at_once_and_queued_ones_go_in_order()
    {
        using var gate = new PasswordHashingGate(Options.Create(new PasswordHashingOptions { MaxConcurrent = 1, QueueLimit = 1 }));

        var running = await gate.EnterAsync(knownAddress: false, CancellationToken.None);
        var queued = gate.EnterAsync(knownAddress: false, CancellationToken.None);
        using var refused = await gate.EnterAsync(knownAddress: false, CancellationToken.None);

        Assert.True(running.IsAcquired);
        Assert.False(queued.IsCompleted);
        Assert.False(refused.IsAcquired);
        running.Dispose();
        using var next = await queued;
        Assert.True(next.IsAcquired);
    }

    [Fact]
    public async Task An_address_the_account_signed_in_from_gets_a_slot_while_strangers_fill_the_queue()
    {
        using var gate = new PasswordHashingGate(Options.Create(new PasswordHashingOptions { MaxConcurrent = 1, QueueLimit = 1 }));

        using var stranger = await gate.EnterAsync(knownAddress: false, CancellationToken.None);
        var waiting = gate.EnterAsync(knownAddress: false, CancellationToken.None);
        using var refused = await gate.EnterAsync(knownAddress: false, CancellationToken.None);
        using var owner = await gate.EnterAsync(knownAddress: true, CancellationToken.None);

        Assert.True(stranger.IsAcquired);
        Assert.False(waiting.IsCompleted);
        Assert.False(refused.IsAcquired);
        Assert.True(owner.IsAcquired);
    }

    [Fact]
    public void By_default_one_hash_runs_per_core()
    {
        using var gate = new PasswordHashingGate(Options.Create(new PasswordHashingOptions()));
        Assert.Equal(Environment.ProcessorCount, gate.MaxConcurrent);
    }
}
