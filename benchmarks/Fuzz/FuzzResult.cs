namespace AudioStream.Benchmarks.Fuzz;

/// <param name="Inputs">Inputs run.</param>
/// <param name="Failures">Inputs that raised an exception the parser does not document, with the first few of them.</param>
/// <param name="MaxBytesAllocatedByOneInput">The most managed memory one input allocated (what an attacker can claim).</param>
/// <param name="PeakManagedBytes">The most managed heap in use, sampled as the run went.</param>
public sealed record FuzzResult(
    string Target, long Inputs, long Failures, IReadOnlyList<string> FirstFailures, long MaxBytesAllocatedByOneInput,
    long PeakManagedBytes, TimeSpan Elapsed);
