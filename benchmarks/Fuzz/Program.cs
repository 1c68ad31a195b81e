using System.Globalization;
using AudioStream.Benchmarks.Fuzz;

// Mutation fuzzing of every network parser: dotnet run -c Release --project benchmarks/Fuzz -- [--inputs N] [--seed S] [--target NAME]
long inputs = 1_000_000;
int seed = 20261201;
string? only = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--inputs":
            inputs = long.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--seed":
            seed = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--target":
            only = args[++i];
            break;
        default:
            Console.Error.WriteLine($"usage: Fuzz [--inputs N (1000000)] [--seed S] [--target {string.Join('|', FuzzTargets.All.Select(t => t.Name))}]");
            return 2;
    }
}

int failed = 0;
Console.WriteLine($"{"target",-12} {"inputs",10} {"failures",8} {"max alloc/input",16} {"peak managed",13} {"inputs/s",10}");
foreach (var target in FuzzTargets.All.Where(t => only is null || t.Name == only))
{
    var result = FuzzRunner.Run(target, inputs, seed);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{result.Target,-12} {result.Inputs,10} {result.Failures,8} {result.MaxBytesAllocatedByOneInput / 1024.0,13:F1} KB {result.PeakManagedBytes / 1048576.0,10:F1} MB {result.Inputs / result.Elapsed.TotalSeconds,10:F0}"));
    foreach (var failure in result.FirstFailures)
    {
        Console.WriteLine($"  {failure}");
    }

    failed += result.Failures > 0 ? 1 : 0;
}

return failed == 0 ? 0 : 1;
