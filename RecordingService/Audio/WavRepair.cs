namespace AudioStream.RecordingService.Audio;

/// <summary>
/// Makes a recording left unfinished by a crash a valid WAV again: the data is whatever whole samples follow the
/// header on disk (the sizes in the header may be up to one sync behind), a trailing half sample is cut off, and
/// the header is rewritten to match. A file that never got its header becomes an empty recording.
/// </summary>
public static class WavRepair
{
    /// <exception cref="InvalidDataException">The file is not a WAV in the layout this service writes.</exception>
    public static WavRepairResult Repair(string path, int sampleRate = WavFormat.DefaultSampleRate)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        var length = RandomAccess.GetLength(handle);
        Span<byte> header = stackalloc byte[WavFormat.HeaderSize];
        var read = length >= WavFormat.HeaderSize ? RandomAccess.Read(handle, header, 0) : 0;
        WavHeader existing = default;
        var hasHeader = read == WavFormat.HeaderSize && WavFormat.TryReadHeader(header, out existing);
        if (hasHeader)
        {
            sampleRate = existing.SampleRate;
        }
        else if (length > WavFormat.HeaderSize)
        {
            throw new InvalidDataException($"{Path.GetFileName(path)} is not a recording this service wrote.");
        }

        var dataBytes = Math.Min(Math.Max(0, length - WavFormat.HeaderSize) & ~1L, WavFormat.MaxDataBytes);
        var wasValid = hasHeader && existing.DataBytes == dataBytes && existing.RiffSize == WavFormat.HeaderSize - 8 + dataBytes
            && length == WavFormat.HeaderSize + dataBytes;
        if (!wasValid)
        {
            if (length != WavFormat.HeaderSize + dataBytes)
            {
                RandomAccess.SetLength(handle, WavFormat.HeaderSize + dataBytes);
            }
            WavFormat.WriteHeader(header, sampleRate, dataBytes);
            RandomAccess.Write(handle, header, 0);
            RandomAccess.FlushToDisk(handle);
        }
        return new WavRepairResult(sampleRate, dataBytes, Changed: !wasValid);
    }
}

/// <param name="Changed">False when the file was already whole.</param>
public readonly record struct WavRepairResult(int SampleRate, long DataBytes, bool Changed)
{
    public long Samples => DataBytes / WavFormat.BytesPerSample;

    public double DurationSeconds => WavFormat.Seconds(DataBytes, SampleRate);

    public long FileBytes => WavFormat.HeaderSize + DataBytes;
}
