using AudioStream.MediaService.WebRtc.Client;

namespace AudioStream.Benchmarks.MediaLoad;

/// <summary>One live stream of the benchmark: its owner, the WHIP client and when each packet went out.</summary>
internal sealed class Broadcast(BenchUser owner, string node, WebRtcClient sender, AudioSource audio, int capacityPackets) : IDisposable
{
    private static readonly long PacketTicks = TimeProvider.System.TimestampFrequency / 50;
    private readonly long[] _sendTimes = new long[capacityPackets];
    private long _start;
    private int _sent;

    public BenchUser Owner { get; } = owner;

    /// <summary>The media node holding the stream.</summary>
    public string Node { get; } = node;

    public WebRtcClient Sender { get; } = sender;

    public int PacketsSent => Volatile.Read(ref _sent);

    /// <summary>When packet <paramref name="index"/> (and so hops 2·index and 2·index+1 of the clip) was sent.</summary>
    public long SendTime(int index) => _sendTimes[index];

    public void Start(long now) => _start = now;

    /// <summary>Sends every packet due by <paramref name="now"/> (20 ms apart from the start), catching up after a stall.</summary>
    public void SendDue(long now)
    {
        long due = Math.Min(((now - _start) / PacketTicks) + 1, _sendTimes.Length);
        while (_sent < due)
        {
            Sender.SendOpus(audio.Packets[_sent % audio.Packets.Length]);
            _sendTimes[_sent] = now;
            Volatile.Write(ref _sent, _sent + 1);
        }
    }

    public void Dispose() => Sender.Dispose();
}
