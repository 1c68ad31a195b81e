using System.Buffers.Binary;
using System.Security.Cryptography;
using AudioStream.RecordingService.Audio.Ogg;
using Concentus;
using Concentus.Enums;
using Microsoft.Win32.SafeHandles;

namespace AudioStream.RecordingService.Audio.Opus;

/// <summary>
/// Writes a track as Ogg Opus (RFC 7845) while it arrives: 48 kHz mono 16-bit PCM is encoded in 20 ms packets, and
/// the packets of each <see cref="SyncInterval"/> go to the file as one complete page (one positional write), which
/// is then flushed to disk. A page on disk never depends on a later one, so a killed or crashed writer leaves a
/// playable file up to its last page (≤ one interval lost); <see cref="OggOpusRepair"/> cuts off a torn tail.
/// </summary>
/// <remarks>
/// Timeline: granule positions count decoder output at 48 kHz including the pre-skip (the encoder's lookahead), so
/// played sample <c>p</c> is input sample <c>p</c>. <see cref="Complete"/> encodes enough silence to push the last
/// input through the lookahead and sets the last page's granule to exactly the input's length (end trimming, §4.5).
/// </remarks>
public sealed class OggOpusWriter : IRecordingSink
{
    public const int SampleRate = 48_000;
    public const int FrameSamples = 960;
    public const int DefaultBitrate = 32_000;
    public const string Vendor = "AudioStream RecordingService (Concentus 2.2.2)";

    private const int MaxPacketBytes = 1275;

    /// <summary>One frame of silence, shared; gaps and the final flush are encoded from it.</summary>
    private static readonly short[] Silence = new short[FrameSamples];

    private readonly SafeFileHandle _handle;
    private readonly TimeProvider _time;
    private readonly IOpusEncoder _encoder;
    private readonly OggPageBuilder _page = new();
    private readonly short[] _frame = new short[FrameSamples];
    private readonly byte[] _packet = new byte[MaxPacketBytes];
    private readonly long _pageSamples;
    private readonly uint _serialNumber;
    private uint _sequenceNumber;
    private int _frameFill;
    private long _encodedSamples;
    private long _fileLength;
    private long _lastSyncTimestamp;
    private bool _completed;

    static OggOpusWriter() => OpusCodecFactory.AttemptToUseNativeLibrary = false;

    private OggOpusWriter(SafeFileHandle handle, OggOpusRepairResult? resumeFrom, int bitrate, TimeSpan syncInterval, TimeProvider time)
    {
        _handle = handle;
        _time = time;
        SyncInterval = syncInterval;
        _pageSamples = Math.Max(FrameSamples, (long)(syncInterval.TotalSeconds * SampleRate));
        _encoder = CreateEncoder(bitrate);
        Bitrate = _encoder.Bitrate;
        if (resumeFrom is { } resumed)
        {
            PreSkip = resumed.PreSkip;
            _serialNumber = resumed.SerialNumber;
            _sequenceNumber = resumed.NextSequenceNumber;
            _fileLength = resumed.FileBytes;
            // A fresh encoder's first output is its lookahead: what the old one held back is lost, heard as silence.
            _encodedSamples = resumed.LastGranulePosition;
            SamplesWritten = resumed.LastGranulePosition;
            SilenceSamples = resumed.LastGranulePosition > 0 ? PreSkip : 0;
            _lastSyncTimestamp = time.GetTimestamp();
        }
        else
        {
            PreSkip = (ushort)_encoder.Lookahead;
            _serialNumber = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
            WriteHeaders();
        }
    }

    public int Bitrate { get; }

    public TimeSpan SyncInterval { get; }

    /// <summary>Samples the decoder drops at the start (RFC 7845 §4.2): the encoder's lookahead.</summary>
    public ushort PreSkip { get; }

    public long SamplesWritten { get; private set; }

    public long SilenceSamples { get; private set; }

    /// <summary>Bytes on disk: complete pages only.</summary>
    public long FileBytes => _fileLength;

    /// <summary>Starts a new file; fails if one exists (names are recording ids, never reused).</summary>
    public static OggOpusWriter Create(string path, int bitrate = DefaultBitrate, TimeSpan? syncInterval = null, TimeProvider? time = null) =>
        new(File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read),
            null, bitrate, syncInterval ?? WavRecordingWriter.DefaultSyncInterval, time ?? TimeProvider.System);

    /// <summary>Goes on writing a file that <see cref="OggOpusRepair"/> leaves open (a recording resumed after a restart).</summary>
    public static OggOpusWriter Append(string path, int bitrate = DefaultBitrate, TimeSpan? syncInterval = null, TimeProvider? time = null)
    {
        var repaired = OggOpusRepair.Repair(path, final: false);
        return new OggOpusWriter(File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read),
            repaired, bitrate, syncInterval ?? WavRecordingWriter.DefaultSyncInterval, time ?? TimeProvider.System);
    }

    /// <summary>For callers that own the handle (tests: a device that fails every write).</summary>
    public static OggOpusWriter Over(SafeFileHandle handle, int bitrate = DefaultBitrate, TimeSpan? syncInterval = null, TimeProvider? time = null) =>
        new(handle, null, bitrate, syncInterval ?? WavRecordingWriter.DefaultSyncInterval, time ?? TimeProvider.System);

    /// <summary>The encoder every recording uses: full-band, VBR at <paramref name="bitrate"/>, tuned for listening rather than calls.</summary>
    public static IOpusEncoder CreateEncoder(int bitrate = DefaultBitrate)
    {
        var encoder = OpusCodecFactory.CreateEncoder(SampleRate, 1, OpusApplication.OPUS_APPLICATION_AUDIO);
        encoder.Bitrate = bitrate;
        encoder.Complexity = 5;
        encoder.SignalType = OpusSignal.OPUS_SIGNAL_VOICE;
        return encoder;
    }

    public void Write(long sampleOffset, ReadOnlySpan<byte> pcm16)
    {
        ObjectDisposedException.ThrowIf(_completed || _handle.IsClosed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(sampleOffset);
        // A stray odd byte cannot be half a sample of anything; leave it out rather than shift the whole track.
        pcm16 = pcm16[..(pcm16.Length & ~1)];

        if (sampleOffset > SamplesWritten)
        {
            var gap = sampleOffset - SamplesWritten;
            SilenceSamples += gap;
            while (gap > 0)
            {
                var slice = (int)Math.Min(gap, FrameSamples - _frameFill);
                Silence.AsSpan(0, slice).CopyTo(_frame.AsSpan(_frameFill));
                Advance(slice);
                gap -= slice;
            }
        }
        else if (sampleOffset < SamplesWritten)
        {
            var overlapBytes = (SamplesWritten - sampleOffset) * 2;
            if (overlapBytes >= pcm16.Length)
            {
                return;
            }
            pcm16 = pcm16[(int)overlapBytes..];
        }

        while (!pcm16.IsEmpty)
        {
            var take = Math.Min(pcm16.Length / 2, FrameSamples - _frameFill);
            for (var i = 0; i < take; i++)
            {
                _frame[_frameFill + i] = BinaryPrimitives.ReadInt16LittleEndian(pcm16[(2 * i)..]);
            }
            pcm16 = pcm16[(2 * take)..];
            Advance(take);
        }

        if (!_page.IsEmpty && _time.GetElapsedTime(_lastSyncTimestamp) >= SyncInterval)
        {
            WritePage(OggHeaderType.None, _encodedSamples);
        }
    }

    /// <summary>
    /// Ends the stream: the frame in progress and the encoder's lookahead are flushed with silence, the last page is
    /// marked end-of-stream with the exact length, and the file is flushed to disk and closed.
    /// </summary>
    public void Complete()
    {
        if (_completed)
        {
            return;
        }
        if (SamplesWritten > 0)
        {
            var end = SamplesWritten + PreSkip;
            while (_encodedSamples < end)
            {
                Silence.AsSpan(0, FrameSamples - _frameFill).CopyTo(_frame.AsSpan(_frameFill));
                _frameFill = FrameSamples;
                Encode(pageWhenFull: false);
            }
            WritePage(OggHeaderType.EndOfStream, end);
        }
        _completed = true;
        _handle.Dispose();
    }

    /// <summary>Closes the file as a crash would leave it: the page in progress is lost (repair makes the rest whole).</summary>
    public void Dispose()
    {
        _completed = true;
        _handle.Dispose();
    }

    private void Advance(int samples)
    {
        _frameFill += samples;
        SamplesWritten += samples;
        if (_frameFill == FrameSamples)
        {
            Encode(pageWhenFull: true);
        }
    }

    /// <param name="pageWhenFull">Write the page once it holds an interval; off while finishing, so the end-of-stream page is never empty.</param>
    private void Encode(bool pageWhenFull)
    {
        var length = _encoder.Encode(_frame, FrameSamples, _packet, _packet.Length);
        _frameFill = 0;
        if (!_page.CanAdd(length))
        {
            WritePage(OggHeaderType.None, _encodedSamples);
        }
        _page.Add(_packet.AsSpan(0, length));
        _encodedSamples += FrameSamples;
        if (pageWhenFull && _page.PacketCount * (long)FrameSamples >= _pageSamples)
        {
            WritePage(OggHeaderType.None, _encodedSamples);
        }
    }

    /// <summary>RFC 7845 §3: the identification header alone on the first page, the comment header on the second.</summary>
    private void WriteHeaders()
    {
        var headers = new OggPageBuilder();
        headers.Add(new OpusHead(1, PreSkip, SampleRate).ToPacket());
        var first = headers.Build(OggHeaderType.BeginningOfStream, 0, _serialNumber, _sequenceNumber++).ToArray();
        headers.Add(OpusTags.ToPacket(Vendor));
        var second = headers.Build(OggHeaderType.None, 0, _serialNumber, _sequenceNumber++);
        // One write for both, so a crash leaves both or neither.
        var both = new byte[first.Length + second.Length];
        first.CopyTo(both, 0);
        second.CopyTo(both.AsSpan(first.Length));
        RandomAccess.Write(_handle, both, 0);
        _fileLength = both.Length;
        RandomAccess.FlushToDisk(_handle);
        _lastSyncTimestamp = _time.GetTimestamp();
    }

    private void WritePage(OggHeaderType headerType, long granulePosition)
    {
        var bytes = _page.Build(headerType, granulePosition, _serialNumber, _sequenceNumber++);
        RandomAccess.Write(_handle, bytes, _fileLength);
        _fileLength += bytes.Length;
        RandomAccess.FlushToDisk(_handle);
        _lastSyncTimestamp = _time.GetTimestamp();
    }
}
