using Microsoft.Win32.SafeHandles;

namespace AudioStream.RecordingService.Audio;

/// <summary>
/// Writes a track to a WAV file as it arrives, so a crash loses at most the last <see cref="SyncInterval"/>:
/// every chunk goes straight to the file with one positional write (nothing waits in a user-space buffer, so a
/// killed process loses nothing it had received), and at least every <see cref="SyncInterval"/> of audio or of
/// wall-clock time the header's RIFF and data sizes are rewritten and the file is flushed to disk (which bounds
/// what a power loss can take). Whatever happens between two syncs, <see cref="WavRepair"/> recovers the audio
/// from the file length.
/// </summary>
public sealed class WavRecordingWriter : IRecordingSink
{
    public static readonly TimeSpan DefaultSyncInterval = TimeSpan.FromSeconds(1);

    /// <summary>One second of silence, shared; gaps are written from it in slices.</summary>
    private static readonly byte[] Silence = new byte[WavFormat.DefaultSampleRate * WavFormat.BytesPerSample];

    private readonly SafeFileHandle _handle;
    private readonly TimeProvider _time;
    private readonly long _syncBytes;
    private readonly byte[] _header = new byte[WavFormat.HeaderSize];
    private long _dataBytes;
    private long _syncedDataBytes;
    private long _lastSyncTimestamp;
    private bool _completed;

    private WavRecordingWriter(SafeFileHandle handle, int sampleRate, long dataBytes, TimeSpan syncInterval, TimeProvider time)
    {
        _handle = handle;
        _time = time;
        SampleRate = sampleRate;
        SyncInterval = syncInterval;
        _syncBytes = Math.Max(WavFormat.BytesPerSample, (long)(syncInterval.TotalSeconds * sampleRate) * WavFormat.BytesPerSample);
        _dataBytes = dataBytes;
        Sync();
    }

    public int SampleRate { get; }

    public TimeSpan SyncInterval { get; }

    public long SamplesWritten => _dataBytes / WavFormat.BytesPerSample;

    public long SilenceSamples { get; private set; }

    /// <summary>Bytes on disk, header included.</summary>
    public long FileBytes => WavFormat.HeaderSize + _dataBytes;

    /// <summary>True once the WAV size limit is reached; later audio is left out.</summary>
    public bool IsFull => _dataBytes >= WavFormat.MaxDataBytes;

    /// <summary>Starts a new file; fails if one exists (names are recording ids, never reused).</summary>
    public static WavRecordingWriter Create(
        string path, int sampleRate = WavFormat.DefaultSampleRate, TimeSpan? syncInterval = null, TimeProvider? time = null) =>
        new(File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read),
            sampleRate, 0, syncInterval ?? DefaultSyncInterval, time ?? TimeProvider.System);

    /// <summary>Goes on writing a file <see cref="WavRepair"/> has made whole (a recording resumed after a restart).</summary>
    public static WavRecordingWriter Append(string path, TimeSpan? syncInterval = null, TimeProvider? time = null)
    {
        var repaired = WavRepair.Repair(path);
        return new WavRecordingWriter(File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read),
            repaired.SampleRate, repaired.DataBytes, syncInterval ?? DefaultSyncInterval, time ?? TimeProvider.System);
    }

    /// <summary>For callers that own the handle (tests: a device that fails every write).</summary>
    public static WavRecordingWriter Over(SafeFileHandle handle, int sampleRate, TimeSpan? syncInterval = null, TimeProvider? time = null) =>
        new(handle, sampleRate, 0, syncInterval ?? DefaultSyncInterval, time ?? TimeProvider.System);

    public void Write(long sampleOffset, ReadOnlySpan<byte> pcm16)
    {
        ObjectDisposedException.ThrowIf(_completed || _handle.IsClosed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(sampleOffset);
        // A stray odd byte cannot be half a sample of anything; leave it out rather than shift the whole track.
        pcm16 = pcm16[..(pcm16.Length & ~1)];

        var position = SamplesWritten;
        if (sampleOffset > position)
        {
            FillSilence(sampleOffset - position);
        }
        else if (sampleOffset < position)
        {
            var overlapBytes = (position - sampleOffset) * WavFormat.BytesPerSample;
            if (overlapBytes >= pcm16.Length)
            {
                return;
            }
            pcm16 = pcm16[(int)overlapBytes..];
        }

        Append(pcm16);
        if (_dataBytes - _syncedDataBytes >= _syncBytes || _time.GetElapsedTime(_lastSyncTimestamp) >= SyncInterval)
        {
            Sync();
        }
    }

    /// <summary>Rewrites the header with the current sizes and flushes the file to disk.</summary>
    public void Sync()
    {
        WavFormat.WriteHeader(_header, SampleRate, _dataBytes);
        RandomAccess.Write(_handle, _header, 0);
        RandomAccess.FlushToDisk(_handle);
        _syncedDataBytes = _dataBytes;
        _lastSyncTimestamp = _time.GetTimestamp();
    }

    public void Complete()
    {
        if (_completed)
        {
            return;
        }
        Sync();
        _completed = true;
        _handle.Dispose();
    }

    /// <summary>Closes the file without a final sync, as a crash would leave it (repair makes it whole).</summary>
    public void Dispose()
    {
        _completed = true;
        _handle.Dispose();
    }

    private void FillSilence(long samples)
    {
        SilenceSamples += samples;
        var bytes = samples * WavFormat.BytesPerSample;
        while (bytes > 0 && !IsFull)
        {
            var slice = (int)Math.Min(bytes, Silence.Length);
            Append(Silence.AsSpan(0, slice));
            bytes -= slice;
        }
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        var room = WavFormat.MaxDataBytes - _dataBytes;
        if (room <= 0)
        {
            return;
        }
        if (bytes.Length > room)
        {
            bytes = bytes[..(int)(room & ~1L)];
        }
        RandomAccess.Write(_handle, bytes, WavFormat.HeaderSize + _dataBytes);
        _dataBytes += bytes.Length;
    }
}
