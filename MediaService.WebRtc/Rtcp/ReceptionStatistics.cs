namespace AudioStream.MediaService.WebRtc.Rtcp;

/// <summary>
/// What a receiver reports about one sender (RFC 3550 §6.4.1, appendix A.3 and A.8): extended highest sequence
/// number, cumulative and interval loss, interarrival jitter, and the last sender report's timestamp and age.
/// Thread-safe: packets are counted on the receive path, reports built on a timer.
/// </summary>
public sealed class ReceptionStatistics(int clockRate)
{
    private readonly Lock _gate = new();
    private bool _started;
    private uint _ssrc;
    private ushort _maxSequence;
    private uint _cycles;
    private uint _baseSequence;
    private long _received;
    private long _expectedPrior;
    private long _receivedPrior;
    private double _jitter;
    private long? _lastTransit;
    private uint _lastSenderReport;
    private long _lastSenderReportArrival;

    /// <summary>Counts one RTP packet that arrived at <paramref name="arrivalSeconds"/> (any monotonic clock).</summary>
    public void OnPacket(uint ssrc, ushort sequence, uint rtpTimestamp, double arrivalSeconds)
    {
        lock (_gate)
        {
            if (!_started || ssrc != _ssrc)
            {
                _started = true;
                _ssrc = ssrc;
                _maxSequence = sequence;
                _cycles = 0;
                _baseSequence = sequence;
                _received = _expectedPrior = _receivedPrior = 0;
                _jitter = 0;
                _lastTransit = null;
            }
            else if ((ushort)(sequence - _maxSequence) is > 0 and < 0x8000)
            {
                if (sequence < _maxSequence)
                {
                    _cycles += 0x10000;
                }

                _maxSequence = sequence;
            }

            _received++;
            long transit = (long)(arrivalSeconds * clockRate) - rtpTimestamp;
            if (_lastTransit is long last)
            {
                _jitter += (Math.Abs(transit - last) - _jitter) / 16;
            }

            _lastTransit = transit;
        }
    }

    /// <summary>Remembers the sender's last report (the middle 32 bits of its NTP timestamp) and when it arrived.</summary>
    public void OnSenderReport(uint ssrc, ulong ntpTimestamp, long arrivalTimestamp)
    {
        lock (_gate)
        {
            if (ssrc == _ssrc)
            {
                _lastSenderReport = (uint)(ntpTimestamp >> 16);
                _lastSenderReportArrival = arrivalTimestamp;
            }
        }
    }

    /// <summary>A report block for the next RR, or null before any packet; starts a new loss interval.</summary>
    public RtcpReportBlock? TakeReportBlock(long nowTimestamp, long timestampFrequency)
    {
        lock (_gate)
        {
            if (!_started)
            {
                return null;
            }

            long extendedMax = _cycles + _maxSequence;
            long expected = extendedMax - _baseSequence + 1;
            long lost = expected - _received;
            long expectedInterval = expected - _expectedPrior;
            long lostInterval = expectedInterval - (_received - _receivedPrior);
            _expectedPrior = expected;
            _receivedPrior = _received;
            byte fraction = expectedInterval == 0 || lostInterval <= 0 ? (byte)0 : (byte)Math.Min(255, (lostInterval << 8) / expectedInterval);
            uint delay = _lastSenderReport == 0
                ? 0
                : (uint)Math.Min(uint.MaxValue, (nowTimestamp - _lastSenderReportArrival) * 65536.0 / timestampFrequency);
            return new RtcpReportBlock(_ssrc, fraction, (int)Math.Clamp(lost, -0x800000, 0x7FFFFF), (uint)extendedMax, (uint)_jitter, _lastSenderReport, delay);
        }
    }
}
