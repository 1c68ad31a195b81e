namespace AudioStream.Benchmarks.MediaLoad;

/// <summary>
/// Mouth-to-ear latency from outside the server: windows of what a listener heard (10 ms envelope, by arrival time)
/// are matched against the sender's clip envelope by correlation; the matching sent hop's send time gives the delay.
/// </summary>
internal static class LatencyEstimator
{
    private const int WindowHops = 300;   // 3 s
    private const int StepHops = 100;     // one estimate per second
    private const double MaxLatencySeconds = 6;
    private const double MinCorrelation = 0.6;

    public static IEnumerable<(double LatencyMs, double Correlation)> Estimate(Broadcast broadcast, ListenerProbe probe, AudioSource audio, long from, long to)
    {
        var (arrivals, heard) = probe.Hops(from, to);
        var reference = audio.ReferenceEnvelope;
        long frequency = TimeProvider.System.TimestampFrequency;
        int sentHops = broadcast.PacketsSent * 2;
        long SentAt(int hop) => broadcast.SendTime(hop / 2) + (hop % 2 * frequency / 100);

        for (int start = 0; start + WindowHops <= heard.Length; start += StepHops)
        {
            var window = heard.AsSpan(start, WindowHops);
            long heardAt = arrivals[start];
            double best = -1;
            int bestHop = -1;
            for (int hop = LastHopSentBy(heardAt, sentHops, SentAt); hop >= 0 && heardAt - SentAt(hop) <= MaxLatencySeconds * frequency; hop--)
            {
                if (hop + WindowHops > sentHops)
                {
                    continue;
                }

                double r = Correlation(window, reference, hop);
                if (r > best)
                {
                    best = r;
                    bestHop = hop;
                }
            }

            if (bestHop >= 0 && best >= MinCorrelation)
            {
                var delays = new double[WindowHops];
                for (int i = 0; i < WindowHops; i++)
                {
                    delays[i] = (arrivals[start + i] - SentAt(bestHop + i)) * 1000.0 / frequency;
                }

                Array.Sort(delays);
                yield return (delays[WindowHops / 2], best);
            }
        }
    }

    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static int LastHopSentBy(long time, int sentHops, Func<int, long> sentAt)
    {
        int lo = 0, hi = sentHops - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) / 2;
            if (sentAt(mid) <= time)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    private static double Correlation(ReadOnlySpan<float> heard, float[] reference, int firstHop)
    {
        double sh = 0, sr = 0, shh = 0, srr = 0, shr = 0;
        int n = heard.Length;
        for (int i = 0; i < n; i++)
        {
            double h = heard[i], r = reference[(firstHop + i) % reference.Length];
            sh += h;
            sr += r;
            shh += h * h;
            srr += r * r;
            shr += h * r;
        }

        double cov = shr - (sh * sr / n), vh = shh - (sh * sh / n), vr = srr - (sr * sr / n);
        return vh <= 0 || vr <= 0 ? 0 : cov / Math.Sqrt(vh * vr);
    }
}
