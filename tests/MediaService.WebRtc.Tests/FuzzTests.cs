using AudioStream.Benchmarks.Fuzz;

namespace AudioStream.MediaService.WebRtc.Tests;

/// <summary>
/// The mutation fuzzer of <c>benchmarks/Fuzz</c> (10⁶ inputs per parser there) at 10⁴ inputs per parser: no exception
/// but a documented rejection escapes, and no input makes a parser allocate in proportion to what it claims.
/// </summary>
public class FuzzTests
{
    public static TheoryData<string> Targets => [.. FuzzTargets.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Ten_thousand_mutated_inputs_raise_nothing_undocumented_and_allocate_little_each(string name)
    {
        var result = FuzzRunner.Run(FuzzTargets.All.Single(t => t.Name == name), 10_000, seed: 12);

        Assert.True(result.Failures == 0, string.Join('\n', result.FirstFailures));
        // Inputs are at most 4 KB; an SDP offer parses into objects a few times its size, nothing more.
        Assert.True(result.MaxBytesAllocatedByOneInput < 1 << 20, $"{result.MaxBytesAllocatedByOneInput} bytes for one input");
    }
}
