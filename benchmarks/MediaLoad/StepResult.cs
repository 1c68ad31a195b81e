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
    double PlannedLatencyMs)
{
    /// <summary>How far p99 may sit above the plan before a step counts as not keeping up.</summary>
    public const double LatencyToleranceMs = 500;

    /// <summary>Nothing lost anywhere, every expected packet arrived (±1 %), and latency within the tolerance of the plan.</summary>
    public bool Sustained =>
        ListenerPacketsLost == 0 && IngestPacketsLost == 0 && IngestConcealed == 0 && ListenerFramesDropped == 0
        && ListenerPacketsReceived >= PacketsExpected * 0.99
        && LatencyWindows > 0 && LatencyP99Ms <= PlannedLatencyMs + LatencyToleranceMs;

    /// <summary>MediaService CPU above idle, per unit counted (a stream with its listener, or a listener), in % of one core.</summary>
    public double CpuPerUnitPercent => (MediaCpuPercent - IdleCpuPercent) / Count;

    public static string Header(string unit) =>
        $"{unit,9} | media CPU % (idle) | per {unit[..^1]} % | bench CPU % | listener pkts recv/expected, lost | ingest lost, concealed | listener frames dropped | latency p50 / p99 ms (windows, r) | server delay ms | sustained";

    public string Row() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Count,9} | {MediaCpuPercent,8:F1} ({IdleCpuPercent:F1}) | {CpuPerUnitPercent,8:F2} | {BenchCpuPercent,8:F1} | {ListenerPacketsReceived}/{PacketsExpected}, {ListenerPacketsLost} | {IngestPacketsLost}, {IngestConcealed} | {ListenerFramesDropped} | {LatencyP50Ms:F0} / {LatencyP99Ms:F0} ({LatencyWindows}, {MedianCorrelation:F2}) | {ServerLatencyMs:F0} | {(Sustained ? "yes" : "NO")}");
}
