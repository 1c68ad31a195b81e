using System.Globalization;

namespace AudioStream.Benchmarks.MediaLoad;

/// <summary>One measured step: N streams or N listeners.</summary>
internal sealed record StepResult(
    int Count,
    double MediaCpuPercent,
    double IdleCpuPercent,
    double BenchCpuPercent,
    long PacketsExpected,
    long ListenerPacketsReceived,
    long ListenerPacketsLost,
    long IngestPacketsLost,
    long IngestConcealed,
    long ListenerFramesDropped,
    double ServerLatencyMs,
    double LatencyP50Ms,
    double LatencyP99Ms,
    int LatencyWindows,
    double MedianCorrelation,
    double PlannedLatencyMs,
    string DenoiseMode,
    int StarvedListeners,
    int ClosedListeners)
{
    /// <summary>How far p99 may sit above the plan before a step counts as not keeping up: 100 ms, or a quarter of a longer plan.</summary>
    public double LatencyToleranceMs => Math.Max(100, PlannedLatencyMs / 4);

    /// <summary>Without loss: nothing lost at any layer and every listener got its packets (±1 % for the window edges).</summary>
    public bool Sustained =>
        ListenerPacketsLost == 0 && IngestPacketsLost == 0 && IngestConcealed == 0 && ListenerFramesDropped == 0
        && StarvedListeners == 0 && ClosedListeners == 0 && ListenerPacketsReceived >= PacketsExpected * 0.99;

    /// <summary>Mouth-to-ear p99 within <see cref="LatencyToleranceMs"/> of the planned delay.</summary>
    public bool OnTime => LatencyWindows > 0 && LatencyP99Ms <= PlannedLatencyMs + LatencyToleranceMs;

    /// <summary>MediaService CPU above idle, per unit counted (a stream with its listener, or a listener), in % of one core.</summary>
    public double CpuPerUnitPercent => (MediaCpuPercent - IdleCpuPercent) / Count;

    public static string Header(string unit) =>
        $"{unit,9} | media CPU % (idle) | per {unit[..^1]} % | bench CPU % | listener pkts recv/expected, lost | ingest lost, concealed | listener frames dropped | listeners starved/closed | latency p50 / p99 ms (windows, r) | server delay ms (planned) | no loss | on time | denoiser";

    public string Row() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Count,9} | {MediaCpuPercent,8:F1} ({IdleCpuPercent:F1}) | {CpuPerUnitPercent,8:F2} | {BenchCpuPercent,8:F1} | {ListenerPacketsReceived}/{PacketsExpected}, {ListenerPacketsLost} | {IngestPacketsLost}, {IngestConcealed} | {ListenerFramesDropped} | {StarvedListeners}/{ClosedListeners} | {LatencyP50Ms:F0} / {LatencyP99Ms:F0} ({LatencyWindows}, {MedianCorrelation:F2}) | {ServerLatencyMs:F0} ({PlannedLatencyMs:F0}) | {(Sustained ? "yes" : "NO")} | {(OnTime ? "yes" : "NO")} | {DenoiseMode}");
}
