using AudioStream.MediaService.WebRtc.Client;
using AudioStream.MediaService.WebRtc.Opus;

namespace AudioStream.Benchmarks.MediaLoad;

/// <summary>
/// A WHEP listener: counts packets and sequence gaps; when decoding, keeps the 10 ms envelope of what it heard with
/// each hop's arrival time, for latency alignment against the broadcaster's send times.
/// </summary>
internal sealed class ListenerProbe : IDisposable
{
    private static readonly long HopTicks = TimeProvider.System.TimestampFrequency / 100;
    private readonly Lock _gate = new();
    private readonly OpusAudioDecoder? _decoder;
    private readonly float[] _pcm = new float[OpusAudioDecoder.MaxFrameSamples];
    private readonly List<(long Arrival, float Envelope)> _hops = [];
    private long _received;
    private long _highest = -1;
    private long _first = -1;

    public ListenerProbe(bool decode)
    {
        _decoder = decode ? new OpusAudioDecoder() : null;
        Client = new WebRtcClient(sends: false) { RtpReceived = OnRtp };
    }

    public WebRtcClient Client { get; }

    public bool Decodes => _decoder is not null;

    /// <summary>Packets received and packets missing (gaps in sequence numbers) so far.</summary>
    public (long Received, long Lost) Counts
    {
        get
        {
            lock (_gate)
            {
                return _first < 0 ? (0, 0) : (_received, _highest - _first + 1 - _received);
            }
        }
    }

    /// <summary>Envelope hops heard between two timestamps.</summary>
    public (long[] Arrival, float[] Envelope) Hops(long from, long to)
    {
        lock (_gate)
        {
            var selected = _hops.Where(h => h.Arrival >= from && h.Arrival < to).ToArray();
            return (selected.Select(h => h.Arrival).ToArray(), selected.Select(h => h.Envelope).ToArray());
        }
    }

    public void Dispose() => Client.Dispose();

    private void OnRtp(ushort sequence, uint timestamp, ReadOnlySpan<byte> payload, long arrival)
    {
        lock (_gate)
        {
            // Extend the 16-bit sequence number (packets arrive nearly in order on loopback).
            long extended = _highest < 0 ? sequence : _highest + (short)(sequence - (ushort)_highest);
            if (_first < 0)
            {
                _first = extended;
            }

            _highest = Math.Max(_highest, extended);
            _received++;
            if (_decoder is null)
            {
                return;
            }

            int samples = _decoder.Decode(payload, _pcm);
            for (int h = 0; h + AudioSource.HopSamples <= samples; h += AudioSource.HopSamples)
            {
                _hops.Add((arrival + (h / AudioSource.HopSamples * HopTicks), AudioSource.Rms(_pcm.AsSpan(h, AudioSource.HopSamples))));
            }
        }
    }
}
