namespace AudioStream.Benchmarks.Fuzz;

/// <summary>
/// One network parser under the fuzzer: valid inputs to mutate, where their length fields are (for inflation), what
/// to do with an input, and the exceptions the parser documents as its way of refusing input (anything else is a bug).
/// </summary>
public sealed record FuzzTarget(
    string Name,
    IReadOnlyList<byte[]> Seeds,
    IReadOnlyList<int> LengthFieldOffsets,
    Action<byte[]> Run,
    Func<Exception, bool>? IsDocumentedRejection = null);
