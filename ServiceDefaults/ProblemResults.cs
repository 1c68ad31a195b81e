using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AudioStream.ServiceDefaults;

/// <summary>
/// The one way the services build RFC 9457 problem details: a status with a title a person can act on, or a
/// validation problem naming the field that is wrong. Import with <c>using static</c>.
/// </summary>
public static class ProblemResults
{
    public static ProblemHttpResult Problem(int status, string title, string? detail = null) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);

    public static ValidationProblem Invalid(string field, string message, string title) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: title);
}
