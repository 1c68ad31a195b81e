using System.Diagnostics;

namespace AudioStream.Benchmarks.Fuzz;

/// <summary>Runs one target over mutated inputs on the calling thread, measuring what each input allocates.</summary>
public static class FuzzRunner
{
    private const int MaxRecordedFailures = 5;

    public static FuzzResult Run(FuzzTarget target, long inputs, int seed)
    {
        var mutator = new Mutator(target, seed);
        var stopwatch = Stopwatch.StartNew();
        var firstFailures = new List<string>();
        long failures = 0, maxAllocated = 0, peak = GC.GetTotalMemory(forceFullCollection: true);
        for (long i = 0; i < inputs; i++)
        {
            var input = mutator.Next();
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                target.Run(input);
            }
#pragma warning disable CA1031 // Every exception is a finding unless the parser documents it.
            catch (Exception ex) when (target.IsDocumentedRejection?.Invoke(ex) != true)
#pragma warning restore CA1031
            {
                failures++;
                if (firstFailures.Count < MaxRecordedFailures)
                {
                    firstFailures.Add($"{ex.GetType().Name}: {ex.Message} on {Convert.ToHexString(input)}");
                }
            }
#pragma warning disable CA1031
            catch (Exception)
#pragma warning restore CA1031
            {
                // The parser's documented rejection.
            }

            maxAllocated = Math.Max(maxAllocated, GC.GetAllocatedBytesForCurrentThread() - before);
            if ((i & 1023) == 0)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
            }
        }

        return new FuzzResult(target.Name, inputs, failures, firstFailures, maxAllocated, peak, stopwatch.Elapsed);
    }
}
