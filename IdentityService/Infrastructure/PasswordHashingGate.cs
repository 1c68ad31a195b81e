using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace AudioStream.IdentityService.Infrastructure;

/// <summary>
/// PBKDF2 at 100 000 iterations is ~100 ms of a core, so a flood of sign-ins (random names are hashed too, to take
/// as long as real ones) would queue every request behind it and starve real people into timeouts. At most
/// <see cref="PasswordHashingOptions.MaxConcurrent"/> hashes run at once, a bounded queue waits oldest first, and
/// the rest are refused at once (503 with Retry-After) instead of piling up.
/// A flood from many addresses fills that queue with strangers, so sign-ins from an address the account signed in from
/// before (which a stranger cannot claim without the password) take a lane of their own with its own slots and queue:
/// the owner gets in while strangers are refused. Both lanes busy means up to twice the cores hashing: slower, never
/// locked out.
/// </summary>
public sealed class PasswordHashingGate : IDisposable
{
    private readonly ConcurrencyLimiter _limiter;
    private readonly ConcurrencyLimiter _knownAddressLane;

    public PasswordHashingGate(IOptions<PasswordHashingOptions> options)
    {
        MaxConcurrent = options.Value.MaxConcurrent > 0 ? options.Value.MaxConcurrent : Environment.ProcessorCount;
        var queueLimit = options.Value.QueueLimit > 0 ? options.Value.QueueLimit : 16 * MaxConcurrent;
        _limiter = NewLane(MaxConcurrent, queueLimit);
        _knownAddressLane = NewLane(MaxConcurrent, queueLimit);
    }

    public int MaxConcurrent { get; }

    /// <summary>A slot to hash in; <see cref="RateLimitLease.IsAcquired"/> is false when the queue is full.</summary>
    /// <param name="knownAddress">The request comes from an address the account signed in from before.</param>
    public ValueTask<RateLimitLease> EnterAsync(bool knownAddress, CancellationToken cancellationToken) =>
        (knownAddress ? _knownAddressLane : _limiter).AcquireAsync(1, cancellationToken);

    public void Dispose()
    {
        _limiter.Dispose();
        _knownAddressLane.Dispose();
    }

    private static ConcurrencyLimiter NewLane(int permits, int queueLimit) => new(new ConcurrencyLimiterOptions
    {
        PermitLimit = permits,
        QueueLimit = queueLimit,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });
}
