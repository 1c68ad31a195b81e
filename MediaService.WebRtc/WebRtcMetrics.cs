using System.Diagnostics.Metrics;

namespace AudioStream.MediaService.WebRtc;

/// <summary>The "AudioStream.WebRtc" meter: process-wide totals across every endpoint and peer.</summary>
public static class WebRtcMetrics
{
    public const string MeterName = "AudioStream.WebRtc";

    private static readonly Meter Meter = new(MeterName, "1.0");

    internal static readonly Counter<long> PacketsIn = Meter.CreateCounter<long>("audiostream.webrtc.packets_in", "{packet}", "RTP and RTCP packets received and authenticated.");
    internal static readonly Counter<long> PacketsOut = Meter.CreateCounter<long>("audiostream.webrtc.packets_out", "{packet}", "RTP packets sent.");
    internal static readonly Counter<long> PacketsLost = Meter.CreateCounter<long>("audiostream.webrtc.packets_lost", "{packet}", "RTP packets declared lost by the jitter buffer (concealed).");
    internal static readonly Counter<long> SrtpAuthFailures = Meter.CreateCounter<long>("audiostream.webrtc.srtp_auth_failures", "{packet}", "SRTP/SRTCP packets whose authentication tag did not verify.");
    internal static readonly Counter<long> DroppedOversized = Meter.CreateCounter<long>("audiostream.webrtc.dropped_oversized", "{datagram}", "Datagrams over 1500 bytes, dropped at the socket.");
    internal static readonly Counter<long> DroppedMalformed = Meter.CreateCounter<long>("audiostream.webrtc.dropped_malformed", "{packet}", "Datagrams dropped as malformed, unroutable or over a peer's queue.");
}
