using AudioStream.RecordingService.Audio.Ogg;
using Concentus;
using Microsoft.Win32.SafeHandles;

namespace AudioStream.RecordingService.Audio.Opus;

/// <summary>
/// Decodes an Ogg Opus recording back to 48 kHz 16-bit PCM, sample-aligned with what was written: the pre-skip is
/// dropped and the output ends at the last page's granule position (RFC 7845 §4.2, §4.5). A file still being
/// written is read up to its last whole page.
/// </summary>
public sealed class OggOpusReader : IRecordingReader
{
    private const int MaxPacketBytes = 64 * 1024;

    private readonly SafeFileHandle handle;
    private readonly OggPageReader pages;
    private readonly IOpusDecoder decoder;
    private readonly uint serialNumber;
    private readonly short[] decoded = new short[5760];
    private readonly byte[] body = new byte[OggPage.MaxSize];
    private readonly byte[] lacing = new byte[OggPage.MaxSegments];
    private readonly byte[] packet = new byte[MaxPacketBytes];
    private int lacingCount;
    private int lacingIndex;
    private int bodyOffset;
    private int packetLength;
    private int decodedStart;
    private int decodedEnd;
    private long toSkip;
    private long remaining;

    static OggOpusReader() => OpusCodecFactory.AttemptToUseNativeLibrary = false;

    public OggOpusReader(string path)
    {
        handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        try
        {
            pages = new OggPageReader(handle);
            if (!pages.TryReadNext(out var first, out var firstBytes) || !OpusHead.TryRead(first.Body(firstBytes), out var head)
                || !pages.TryReadNext(out var tags, out var tagsBytes) || !OpusTags.IsTags(tags.Body(tagsBytes)))
            {
                throw new InvalidDataException($"{Path.GetFileName(path)} is not an Ogg Opus recording.");
            }
            serialNumber = first.SerialNumber;
            PreSkip = head.PreSkip;
            var last = OggPageReader.TryReadLast(handle, pages.Length, out var lastPage) && lastPage.SerialNumber == serialNumber
                ? lastPage.GranulePosition
                : 0;
            Samples = Math.Max(0, last - head.PreSkip);
            toSkip = head.PreSkip;
            remaining = Samples;
            decoder = OpusCodecFactory.CreateDecoder(OggOpusWriter.SampleRate, 1);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public int SampleRate => OggOpusWriter.SampleRate;

    public long Samples { get; }

    public ushort PreSkip { get; }

    public int Read(Span<short> destination)
    {
        var written = 0;
        while (written < destination.Length && remaining > 0)
        {
            if (decodedStart == decodedEnd)
            {
                if (!TryNextPacket(out var next))
                {
                    break;
                }
                decodedStart = 0;
                decodedEnd = Decode(next);
                var skip = (int)Math.Min(toSkip, decodedEnd);
                decodedStart = skip;
                toSkip -= skip;
                continue;
            }
            var take = (int)Math.Min(Math.Min(destination.Length - written, decodedEnd - decodedStart), remaining);
            decoded.AsSpan(decodedStart, take).CopyTo(destination[written..]);
            decodedStart += take;
            written += take;
            remaining -= take;
        }
        return written;
    }

    public void Dispose() => handle.Dispose();

    private int Decode(ReadOnlySpan<byte> opus)
    {
        try
        {
            return decoder.Decode(opus, decoded, decoded.Length, false);
        }
        catch (Exception ex) when (ex is OpusException or IndexOutOfRangeException or ArgumentException)
        {
            // A damaged packet: conceal it for as long as it claims to last.
            var samples = OpusPacket.Samples(opus);
            return samples > 0 ? decoder.Decode(ReadOnlySpan<byte>.Empty, decoded, samples, false) : 0;
        }
    }

    /// <summary>The next whole packet, following packets that continue across pages (RFC 3533 §5).</summary>
    private bool TryNextPacket(out ReadOnlySpan<byte> next)
    {
        next = default;
        while (true)
        {
            while (lacingIndex < lacingCount)
            {
                var size = lacing[lacingIndex++];
                if (packetLength + size <= packet.Length)
                {
                    body.AsSpan(bodyOffset, size).CopyTo(packet.AsSpan(packetLength));
                }
                packetLength += size;
                bodyOffset += size;
                if (size < 255)
                {
                    var length = packetLength;
                    packetLength = 0;
                    if (length <= packet.Length)
                    {
                        next = packet.AsSpan(0, length);
                        return true;
                    }
                }
            }
            if (!pages.TryReadNext(out var page, out var bytes) || page.SerialNumber != serialNumber)
            {
                return false;
            }
            if ((page.HeaderType & OggHeaderType.Continued) == 0)
            {
                packetLength = 0;
            }
            page.LacingValues(bytes).CopyTo(lacing);
            page.Body(bytes).CopyTo(body);
            lacingCount = page.SegmentCount;
            lacingIndex = 0;
            bodyOffset = 0;
        }
    }
}
