using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace AudioStream.IdentityService.Infrastructure;

/// <summary>
/// PBKDF2 at 100 000 iterations is ~100 ms of a core, so a flood of sign-ins (random names are hashed too, to take
/// as long as real ones) would queue every request behind it and starve real people into timeouts. At most
/// <see cref="PasswordHashingOptions.MaxConcurrent"/> hashes run at once, a bounded queue waits oldest first, and
/// the rest are refused at once (503 with Retry-After) instead of piling up.
/// </summary>
public sealed class PasswordHashingGate : IDisposable
{
    private readonly ConcurrencyLimiter limiter;

    public PasswordHashingGate(IOptions<PasswordHashingOptions> options)
    {
        MaxConcurrent = options.Value.MaxConcurrent > 0 ? options.Value.MaxConcurrent : Environment.ProcessorCount;
        var queueLimit = options.Value.QueueLimit > 0 ? options.Value.QueueLimit : 16 * MaxConcurrent;
        limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = MaxConcurrent,
            QueueLimit = queueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    public int MaxConcurrent { get; }

    /// <summary>A slot to hash in; <see cref="RateLimitLease.IsAcquired"/> is false when the queue is full.</summary>
    public ValueTask<RateLimitLease> EnterAsync(CancellationToken cancellationToken) => limiter.AcquireAsync(1, cancellationToken);

    public void Dispose() => limiter.Dispose();
}
