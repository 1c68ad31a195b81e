using Microsoft.Win32.SafeHandles;

namespace AudioStream.RecordingService.Audio.Ogg;

/// <summary>
/// Reads a file's Ogg pages in order through one reusable buffer. It stops at the end of the file or at the first
/// bytes that are not a whole, correct page (torn by a crash, or not Ogg): <see cref="Position"/> then tells where
/// the good pages end. It never buffers more than two pages' worth, whatever a damaged header claims.
/// </summary>
public sealed class OggPageReader(SafeFileHandle handle, long position = 0)
{
    private readonly byte[] _buffer = new byte[2 * OggPage.MaxSize];
    private readonly long _length = RandomAccess.GetLength(handle);
    private long _bufferStart = position;
    private int _bufferLength;

    /// <summary>Where the next page would start: after the last good page read.</summary>
    public long Position { get; private set; } = position;

    /// <summary>The file length when the reader was made (a file still being written may grow after).</summary>
    public long Length => _length;

    /// <summary>The next page and its bytes (valid until the next call); false at the end of the good pages.</summary>
    public bool TryReadNext(out OggPage page, out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        var offset = (int)(Position - _bufferStart);
        var wanted = (int)Math.Min(OggPage.MaxSize, _length - Position);
        if (_bufferLength - offset < wanted)
        {
            // Keep what is left at the front and fill the rest.
            Buffer.BlockCopy(_buffer, offset, _buffer, 0, _bufferLength - offset);
            _bufferLength -= offset;
            _bufferStart = Position;
            offset = 0;
            while (_bufferLength < _buffer.Length && _bufferStart + _bufferLength < _length)
            {
                var read = RandomAccess.Read(handle, _buffer.AsSpan(_bufferLength), _bufferStart + _bufferLength);
                if (read == 0)
                {
                    break;
                }
                _bufferLength += read;
            }
        }
        var available = _buffer.AsSpan(offset, _bufferLength - offset);
        if (!OggPage.TryRead(available, out page))
        {
            return false;
        }
        bytes = available[..page.Length];
        Position += page.Length;
        return true;
    }

    /// <summary>
    /// The file's last whole page, found from the end (a file still being written, or torn by a crash, may end in part
    /// of a page): the last "OggS" within two pages of the end that starts a page whose CRC holds.
    /// </summary>
    public static bool TryReadLast(SafeFileHandle handle, long length, out OggPage page)
    {
        page = default;
        var size = (int)Math.Min(length, 2 * OggPage.MaxSize);
        var tail = new byte[size];
        var read = RandomAccess.Read(handle, tail, length - size);
        var bytes = tail.AsSpan(0, read);
        for (var at = bytes.LastIndexOf(OggPage.CapturePattern); at >= 0; at = bytes[..at].LastIndexOf(OggPage.CapturePattern))
        {
            if (OggPage.TryRead(bytes[at..], out page))
            {
                return true;
            }
        }
        return false;
    }
}
