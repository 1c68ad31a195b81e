using System.Text.Json;
using Microsoft.Extensions.Options;

namespace AudioStream.RecordingService.Audio;

public sealed class RecordingStorageOptions
{
    public const string SectionName = "Recordings";

    /// <summary>Folder for the WAV files; the AppHost passes one under its DataRoot.</summary>
    public string StorageRoot { get; set; } = Path.Combine(AppContext.BaseDirectory, "recordings");

    /// <summary>How often the header is rewritten and the file flushed to disk while recording.</summary>
    public TimeSpan SyncInterval { get; set; } = WavRecordingWriter.DefaultSyncInterval;
}

public enum RecordingTrack
{
    /// <summary>What listeners heard (denoised when the stream was).</summary>
    Processed,

    /// <summary>The microphone before denoising; kept for denoised streams only.</summary>
    Original,
}

/// <summary>
/// Where a recording's files live. Names come from the recording id alone (never from a title or user name):
/// <c>{id}.wav</c>, <c>{id}.original.wav</c> and their <c>.peaks.json</c> waveforms.
/// </summary>
public sealed class RecordingStorage
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public RecordingStorage(IOptions<RecordingStorageOptions> options)
    {
        Root = Path.GetFullPath(options.Value.StorageRoot);
        SyncInterval = options.Value.SyncInterval;
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public TimeSpan SyncInterval { get; }

    public string AudioPath(Guid id, RecordingTrack track) =>
        Path.Combine(Root, track == RecordingTrack.Original ? $"{id:D}.original.wav" : $"{id:D}.wav");

    public string PeaksPath(Guid id, RecordingTrack track) => Path.ChangeExtension(AudioPath(id, track), ".peaks.json");

    /// <summary>Computes and caches a track's waveform (written to a temporary name, then moved, so readers never see half).</summary>
    public WaveformPeaks WritePeaks(Guid id, RecordingTrack track)
    {
        var peaks = WaveformPeaks.FromFile(AudioPath(id, track));
        var path = PeaksPath(id, track);
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(peaks, Json));
        File.Move(temporary, path, overwrite: true);
        return peaks;
    }

    /// <summary>Bytes of the recording's audio files together.</summary>
    public long SizeOf(Guid id) =>
        Enum.GetValues<RecordingTrack>().Select(track => new FileInfo(AudioPath(id, track))).Where(file => file.Exists).Sum(file => file.Length);

    public void Delete(Guid id)
    {
        foreach (var track in Enum.GetValues<RecordingTrack>())
        {
            File.Delete(AudioPath(id, track));
            File.Delete(PeaksPath(id, track));
        }
    }
}
