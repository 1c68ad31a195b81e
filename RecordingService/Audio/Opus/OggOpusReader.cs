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

    private readonly SafeFileHandle _handle;
    private readonly OggPageReader _pages;
    private readonly IOpusDecoder _decoder;
    private readonly uint _serialNumber;
    private readonly short[] _decoded = new short[5760];
    private readonly byte[] _body = new byte[OggPage.MaxSize];
    private readonly byte[] _lacing = new byte[OggPage.MaxSegments];
    private readonly byte[] _packet = new byte[MaxPacketBytes];
    private int _lacingCount;
    private int _lacingIndex;
    private int _bodyOffset;
    private int _packetLength;
    private int _decodedStart;
    private int _decodedEnd;
    private long _toSkip;
    private long _remaining;

    static OggOpusReader() => OpusCodecFactory.AttemptToUseNativeLibrary = false;

    public OggOpusReader(string path)
    {
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        try
        {
            _pages = new OggPageReader(_handle);
            if (!_pages.TryReadNext(out var first, out var firstBytes) || !OpusHead.TryRead(first.Body(firstBytes), out var head)
                || !_pages.TryReadNext(out var tags, out var tagsBytes) || !OpusTags.IsTags(tags.Body(tagsBytes)))
            {
                throw new InvalidDataException($"{Path.GetFileName(path)} is not an Ogg Opus recording.");
            }
            _serialNumber = first.SerialNumber;
            PreSkip = head.PreSkip;
            var last = OggPageReader.TryReadLast(_handle, _pages.Length, out var lastPage) && lastPage.SerialNumber == _serialNumber
                ? lastPage.GranulePosition
                : 0;
            Samples = Math.Max(0, last - head.PreSkip);
            _toSkip = head.PreSkip;
            _remaining = Samples;
            _decoder = OpusCodecFactory.CreateDecoder(OggOpusWriter.SampleRate, 1);
        }
        catch
        {
            _handle.Dispose();
            throw;
        }
    }

    public int SampleRate => OggOpusWriter.SampleRate;

    public long Samples { get; }

    public ushort PreSkip { get; }

    public int Read(Span<short> destination)
    {
        var written = 0;
        while (written < destination.Length && _remaining > 0)
        {
            if (_decodedStart == _decodedEnd)
            {
                if (!TryNextPacket(out var next))
                {
                    break;
                }
                _decodedStart = 0;
                _decodedEnd = Decode(next);
                var skip = (int)Math.Min(_toSkip, _decodedEnd);
                _decodedStart = skip;
                _toSkip -= skip;
                continue;
            }
            var take = (int)Math.Min(Math.Min(destination.Length - written, _decodedEnd - _decodedStart), _remaining);
            _decoded.AsSpan(_decodedStart, take).CopyTo(destination[written..]);
            _decodedStart += take;
            written += take;
            _remaining -= take;
        }
        return written;
    }

    public void Dispose() => _handle.Dispose();

    private int Decode(ReadOnlySpan<byte> opus)
    {
        try
        {
            return _decoder.Decode(opus, _decoded, _decoded.Length, false);
        }
        catch (Exception ex) when (ex is OpusException or IndexOutOfRangeException or ArgumentException)
        {
            // A damaged packet: conceal it for as long as it claims to last.
            var samples = OpusPacket.Samples(opus);
            return samples > 0 ? _decoder.Decode(ReadOnlySpan<byte>.Empty, _decoded, samples, false) : 0;
        }
    }

    /// <summary>The next whole packet, following packets that continue across pages (RFC 3533 §5).</summary>
    private bool TryNextPacket(out ReadOnlySpan<byte> next)
    {
        next = default;
        while (true)
        {
            while (_lacingIndex < _lacingCount)
            {
                var size = _lacing[_lacingIndex++];
                if (_packetLength + size <= _packet.Length)
                {
                    _body.AsSpan(_bodyOffset, size).CopyTo(_packet.AsSpan(_packetLength));
                }
                _packetLength += size;
                _bodyOffset += size;
                if (size < 255)
                {
                    var length = _packetLength;
                    _packetLength = 0;
                    if (length <= _packet.Length)
                    {
                        next = _packet.AsSpan(0, length);
                        return true;
                    }
                }
            }
            if (!_pages.TryReadNext(out var page, out var bytes) || page.SerialNumber != _serialNumber)
            {
                return false;
            }
            if ((page.HeaderType & OggHeaderType.Continued) == 0)
            {
                _packetLength = 0;
            }
            page.LacingValues(bytes).CopyTo(_lacing);
            page.Body(bytes).CopyTo(_body);
            _lacingCount = page.SegmentCount;
            _lacingIndex = 0;
            _bodyOffset = 0;
        }
    }
}
