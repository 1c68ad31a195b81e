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

    private readonly SafeFileHandle handle;
    private readonly TimeProvider time;
    private readonly IOpusEncoder encoder;
    private readonly OggPageBuilder page = new();
    private readonly short[] frame = new short[FrameSamples];
    private readonly byte[] packet = new byte[MaxPacketBytes];
    private readonly long pageSamples;
    private readonly uint serialNumber;
    private uint sequenceNumber;
    private int frameFill;
    private long encodedSamples;
    private long fileLength;
    private long lastSyncTimestamp;
    private bool completed;

    static OggOpusWriter() => OpusCodecFactory.AttemptToUseNativeLibrary = false;

    private OggOpusWriter(SafeFileHandle handle, OggOpusRepairResult? resumeFrom, int bitrate, TimeSpan syncInterval, TimeProvider time)
    {
        this.handle = handle;
        this.time = time;
        SyncInterval = syncInterval;
        pageSamples = Math.Max(FrameSamples, (long)(syncInterval.TotalSeconds * SampleRate));
        encoder = CreateEncoder(bitrate);
        Bitrate = encoder.Bitrate;
        if (resumeFrom is { } resumed)
        {
            PreSkip = resumed.PreSkip;
            serialNumber = resumed.SerialNumber;
            sequenceNumber = resumed.NextSequenceNumber;
            fileLength = resumed.FileBytes;
            // A fresh encoder's first output is its lookahead: what the old one held back is lost, heard as silence.
            encodedSamples = resumed.LastGranulePosition;
            SamplesWritten = resumed.LastGranulePosition;
            SilenceSamples = resumed.LastGranulePosition > 0 ? PreSkip : 0;
            lastSyncTimestamp = time.GetTimestamp();
        }
        else
        {
            PreSkip = (ushort)encoder.Lookahead;
            serialNumber = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
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
    public long FileBytes => fileLength;

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
        ObjectDisposedException.ThrowIf(completed || handle.IsClosed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(sampleOffset);
        // A stray odd byte cannot be half a sample of anything; leave it out rather than shift the whole track.
        pcm16 = pcm16[..(pcm16.Length & ~1)];

        if (sampleOffset > SamplesWritten)
        {
            var gap = sampleOffset - SamplesWritten;
            SilenceSamples += gap;
            while (gap > 0)
            {
                var slice = (int)Math.Min(gap, FrameSamples - frameFill);
                Silence.AsSpan(0, slice).CopyTo(frame.AsSpan(frameFill));
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
            var take = Math.Min(pcm16.Length / 2, FrameSamples - frameFill);
            for (var i = 0; i < take; i++)
            {
                frame[frameFill + i] = BinaryPrimitives.ReadInt16LittleEndian(pcm16[(2 * i)..]);
            }
            pcm16 = pcm16[(2 * take)..];
            Advance(take);
        }

        if (!page.IsEmpty && time.GetElapsedTime(lastSyncTimestamp) >= SyncInterval)
        {
            WritePage(OggHeaderType.None, encodedSamples);
        }
    }

    /// <summary>
    /// Ends the stream: the frame in progress and the encoder's lookahead are flushed with silence, the last page is
    /// marked end-of-stream with the exact length, and the file is flushed to disk and closed.
    /// </summary>
    public void Complete()
    {
        if (completed)
        {
            return;
        }
        if (SamplesWritten > 0)
        {
            var end = SamplesWritten + PreSkip;
            while (encodedSamples < end)
            {
                Silence.AsSpan(0, FrameSamples - frameFill).CopyTo(frame.AsSpan(frameFill));
                frameFill = FrameSamples;
                Encode(pageWhenFull: false);
            }
            WritePage(OggHeaderType.EndOfStream, end);
        }
        completed = true;
        handle.Dispose();
    }

    /// <summary>Closes the file as a crash would leave it: the page in progress is lost (repair makes the rest whole).</summary>
    public void Dispose()
    {
        completed = true;
        handle.Dispose();
    }

    private void Advance(int samples)
    {
        frameFill += samples;
        SamplesWritten += samples;
        if (frameFill == FrameSamples)
        {
            Encode(pageWhenFull: true);
        }
    }

    /// <param name="pageWhenFull">Write the page once it holds an interval; off while finishing, so the end-of-stream page is never empty.</param>
    private void Encode(bool pageWhenFull)
    {
        var length = encoder.Encode(frame, FrameSamples, packet, packet.Length);
        frameFill = 0;
        if (!page.CanAdd(length))
        {
            WritePage(OggHeaderType.None, encodedSamples);
        }
        page.Add(packet.AsSpan(0, length));
        encodedSamples += FrameSamples;
        if (pageWhenFull && page.PacketCount * (long)FrameSamples >= pageSamples)
        {
            WritePage(OggHeaderType.None, encodedSamples);
        }
    }

    /// <summary>RFC 7845 §3: the identification header alone on the first page, the comment header on the second.</summary>
    private void WriteHeaders()
    {
        var headers = new OggPageBuilder();
        headers.Add(new OpusHead(1, PreSkip, SampleRate).ToPacket());
        var first = headers.Build(OggHeaderType.BeginningOfStream, 0, serialNumber, sequenceNumber++).ToArray();
        headers.Add(OpusTags.ToPacket(Vendor));
        var second = headers.Build(OggHeaderType.None, 0, serialNumber, sequenceNumber++);
        // One write for both, so a crash leaves both or neither.
        var both = new byte[first.Length + second.Length];
        first.CopyTo(both, 0);
        second.CopyTo(both.AsSpan(first.Length));
        RandomAccess.Write(handle, both, 0);
        fileLength = both.Length;
        RandomAccess.FlushToDisk(handle);
        lastSyncTimestamp = time.GetTimestamp();
    }

    private void WritePage(OggHeaderType headerType, long granulePosition)
    {
        var bytes = page.Build(headerType, granulePosition, serialNumber, sequenceNumber++);
        RandomAccess.Write(handle, bytes, fileLength);
        fileLength += bytes.Length;
        RandomAccess.FlushToDisk(handle);
        lastSyncTimestamp = time.GetTimestamp();
    }
}
