using System.Text.Json;
using AudioStream.RecordingService.Audio.Opus;
using Microsoft.Extensions.Options;

namespace AudioStream.RecordingService.Audio;

public sealed class RecordingStorageOptions
{
    public const string SectionName = "Recordings";

    /// <summary>Folder for the recordings' files; the AppHost passes one under its DataRoot.</summary>
    public string StorageRoot { get; set; } = Path.Combine(AppContext.BaseDirectory, "recordings");

    /// <summary>How often a page of audio is written and the file flushed to disk while recording.</summary>
    public TimeSpan SyncInterval { get; set; } = WavRecordingWriter.DefaultSyncInterval;

    /// <summary>Opus bit rate of a recorded track (mono speech: 32 kbit/s is about 14 MB an hour).</summary>
    public int OpusBitrate { get; set; } = OggOpusWriter.DefaultBitrate;
}

public enum RecordingTrack
{
    /// <summary>What listeners heard (denoised when the stream was).</summary>
    Processed,

    /// <summary>The microphone before denoising; kept for denoised streams only.</summary>
    Original,
}

/// <summary>
/// Where a recording's files live and how they are written and read. Names come from the recording id alone (never
/// from a title or user name): <c>{id}.opus</c> and <c>{id}.original.opus</c> (Ogg Opus), or <c>{id}.wav</c> and
/// <c>{id}.original.wav</c> for recordings made before, and their <c>.peaks.json</c> waveforms. Which format a
/// track has is read from the file itself.
/// </summary>
public sealed class RecordingStorage
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public RecordingStorage(IOptions<RecordingStorageOptions> options)
    {
        Root = Path.GetFullPath(options.Value.StorageRoot);
        SyncInterval = options.Value.SyncInterval;
        OpusBitrate = options.Value.OpusBitrate;
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public TimeSpan SyncInterval { get; }

    public int OpusBitrate { get; }

    /// <summary>The track's file: its Ogg Opus file, else an older WAV, else where a new Ogg Opus file goes.</summary>
    public string AudioPath(Guid id, RecordingTrack track)
    {
        var opus = PathOf(id, track, RecordingFormat.OggOpus);
        if (File.Exists(opus))
        {
            return opus;
        }
        var wav = PathOf(id, track, RecordingFormat.Wav);
        return File.Exists(wav) ? wav : opus;
    }

    public bool Exists(Guid id, RecordingTrack track) => File.Exists(AudioPath(id, track));

    /// <summary>The format of a track's file, read from its first bytes ("OggS" or "RIFF"); by its name when too short to tell.</summary>
    public RecordingFormat FormatOf(Guid id, RecordingTrack track) => FormatOf(AudioPath(id, track));

    public static RecordingFormat FormatOf(string path)
    {
        Span<byte> magic = stackalloc byte[4];
        using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            if (RandomAccess.Read(handle, magic, 0) == 4)
            {
                if (magic.SequenceEqual(Ogg.OggPage.CapturePattern))
                {
                    return RecordingFormat.OggOpus;
                }
                if (magic.SequenceEqual("RIFF"u8))
                {
                    return RecordingFormat.Wav;
                }
            }
        }
        return path.EndsWith(".wav", StringComparison.Ordinal) ? RecordingFormat.Wav : RecordingFormat.OggOpus;
    }

    public static string ContentType(RecordingFormat format) => format == RecordingFormat.Wav ? "audio/wav" : "audio/ogg";

    public static string Extension(RecordingFormat format) => format == RecordingFormat.Wav ? ".wav" : ".opus";

    /// <summary>A new track, written as Ogg Opus.</summary>
    public IRecordingSink CreateWriter(Guid id, RecordingTrack track, TimeProvider time) =>
        OggOpusWriter.Create(PathOf(id, track, RecordingFormat.OggOpus), OpusBitrate, SyncInterval, time);

    /// <summary>Takes a track a crash interrupted up again, in the format it was begun in.</summary>
    public IRecordingSink Resume(Guid id, RecordingTrack track, TimeProvider time)
    {
        var path = AudioPath(id, track);
        return FormatOf(path) == RecordingFormat.Wav
            ? WavRecordingWriter.Append(path, SyncInterval, time)
            : OggOpusWriter.Append(path, OpusBitrate, SyncInterval, time);
    }

    /// <summary>Makes a track a crash left unfinished whole (<paramref name="final"/>: it ends here).</summary>
    /// <exception cref="InvalidDataException">The file is not one this service wrote.</exception>
    public RecordingRepairResult Repair(Guid id, RecordingTrack track, bool final = true)
    {
        var path = AudioPath(id, track);
        if (FormatOf(path) == RecordingFormat.Wav)
        {
            var wav = WavRepair.Repair(path);
            return new RecordingRepairResult(wav.Samples, wav.SampleRate, wav.Changed);
        }
        var opus = OggOpusRepair.Repair(path, final);
        return new RecordingRepairResult(opus.Samples, OggOpusWriter.SampleRate, opus.Changed);
    }

    /// <summary>The track as PCM from its start.</summary>
    /// <exception cref="InvalidDataException">The file is not one this service wrote.</exception>
    public IRecordingReader OpenReader(Guid id, RecordingTrack track)
    {
        var path = AudioPath(id, track);
        return FormatOf(path) == RecordingFormat.Wav ? new WavRecordingReader(path) : new OggOpusReader(path);
    }

    /// <summary>Seconds of audio in a track's file so far (for a recording still being written); 0 when unreadable.</summary>
    public double DurationOf(Guid id, RecordingTrack track)
    {
        try
        {
            using var reader = OpenReader(id, track);
            return (double)reader.Samples / reader.SampleRate;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    public string PeaksPath(Guid id, RecordingTrack track) =>
        Path.Combine(Root, track == RecordingTrack.Original ? $"{id:D}.original.peaks.json" : $"{id:D}.peaks.json");

    /// <summary>Computes and caches a track's waveform (written to a temporary name, then moved, so readers never see half).</summary>
    public WaveformPeaks WritePeaks(Guid id, RecordingTrack track)
    {
        WaveformPeaks peaks;
        using (var reader = OpenReader(id, track))
        {
            peaks = WaveformPeaks.From(reader);
        }
        var path = PeaksPath(id, track);
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(peaks, Json));
        File.Move(temporary, path, overwrite: true);
        return peaks;
    }

    /// <summary>Bytes of the recording's audio files together.</summary>
    public long SizeOf(Guid id) => AllAudioPaths(id).Select(path => new FileInfo(path)).Where(file => file.Exists).Sum(file => file.Length);

    public void Delete(Guid id)
    {
        foreach (var path in AllAudioPaths(id))
        {
            File.Delete(path);
        }
        foreach (var track in Enum.GetValues<RecordingTrack>())
        {
            File.Delete(PeaksPath(id, track));
        }
    }

    private IEnumerable<string> AllAudioPaths(Guid id) =>
        from track in Enum.GetValues<RecordingTrack>()
        from format in Enum.GetValues<RecordingFormat>()
        select PathOf(id, track, format);

    private string PathOf(Guid id, RecordingTrack track, RecordingFormat format) =>
        Path.Combine(Root, $"{id:D}{(track == RecordingTrack.Original ? ".original" : "")}{Extension(format)}");
}
