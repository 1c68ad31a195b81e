using AudioStream.RecordingService.Audio;
using AudioStream.RecordingService.Model;

namespace AudioStream.RecordingService.Live;

internal static class RecordingPeaks
{
    /// <summary>Caches the waveform of each of a finished recording's tracks; one that cannot be drawn is skipped.</summary>
    public static void WritePeaksOf(this RecordingStorage storage, Recording recording, ILogger logger)
    {
        foreach (var track in recording.HasOriginal ? [RecordingTrack.Processed, RecordingTrack.Original] : new[] { RecordingTrack.Processed })
        {
            try
            {
                storage.WritePeaks(recording.Id, track);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                // The waveform is a nicety; the page draws none without it.
                logger.LogWarning(ex, "No waveform for the {Track} track of recording {RecordingId}", track, recording.Id);
            }
        }
    }
}
