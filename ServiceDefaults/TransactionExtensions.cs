using Microsoft.EntityFrameworkCore;

namespace AudioStream.ServiceDefaults;

public static class TransactionExtensions
{
    /// <summary>
    /// Runs <paramref name="work"/> in one transaction, committed when it returns. Through the context's execution
    /// strategy, since Aspire's retrying strategy refuses transactions begun outside it: a retry runs the work again
    /// from the start, on a cleared change tracker.
    /// </summary>
    public static Task<T> InTransactionAsync<T>(this DbContext db, Func<Task<T>> work, CancellationToken cancellationToken = default)
    {
        var attempts = 0;
        return db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            if (attempts++ > 0)
            {
                db.ChangeTracker.Clear();
            }
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var result = await work();
            await transaction.CommitAsync(cancellationToken);
            return result;
        });
    }
}
