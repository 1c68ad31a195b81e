using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace AudioStream.ServiceDefaults;

public static class DbUpdateExceptionExtensions
{
    /// <summary>PostgreSQL's <c>unique_violation</c> (SQLSTATE 23505): a unique index decided a race.</summary>
    public const string UniqueViolationState = "23505";

    /// <summary>True when the save failed because a unique index already holds the row, e.g. a concurrent insert won.</summary>
    public static bool IsUniqueViolation(this DbUpdateException exception) =>
        exception.InnerException is DbException { SqlState: UniqueViolationState };
}
