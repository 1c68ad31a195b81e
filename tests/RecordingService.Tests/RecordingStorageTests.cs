using AudioStream.RecordingService.Audio;
using Microsoft.Extensions.Options;

namespace AudioStream.RecordingService.Tests;

public sealed class RecordingStorageTests : IDisposable
{
    private const int Rate = 48_000;
    private readonly TempFolder _folder = new();
    private readonly RecordingStorage _storage;

    public RecordingStorageTests() => _storage = new RecordingStorage(Options.Create(new RecordingStorageOptions { StorageRoot = _folder.Path }));

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void New_recordings_are_ogg_opus_and_read_back_with_their_waveform()
    {
        var id = Guid.NewGuid();
        using (var writer = _storage.CreateWriter(id, RecordingTrack.Processed, TimeProvider.System))
        {
            writer.Write(0, Speech.Pcm(0, Rate * 2));
            writer.Complete();
        }

        Assert.EndsWith($"{id:D}.opus", _storage.AudioPath(id, RecordingTrack.Processed), StringComparison.Ordinal);
        Assert.Equal(RecordingFormat.OggOpus, _storage.FormatOf(id, RecordingTrack.Processed));
        Assert.Equal(2.0, _storage.DurationOf(id, RecordingTrack.Processed), 6);
        var peaks = _storage.WritePeaks(id, RecordingTrack.Processed);
        Assert.Equal(Rate * 2, peaks.Samples);
        Assert.Equal(WaveformPeaks.DefaultCount, peaks.Count);
        // The signal peaks near ±0.18 of full scale; a lossy codec keeps that within a few per cent.
        var loudest = Enumerable.Range(0, Rate * 2).Max(i => Math.Abs((int)Speech.Sample(i))) / 32768f;
        Assert.InRange(peaks.Peaks.Max(), loudest * 0.8f, loudest * 1.2f);
        Assert.InRange(-peaks.Peaks.Min(), loudest * 0.8f, loudest * 1.2f);
    }

    [Fact]
    public void Recordings_made_as_wav_before_keep_playing_repairing_and_resuming_as_wav()
    {
        var id = Guid.NewGuid();
        var wav = Path.Combine(_folder.Path, $"{id:D}.wav");
        using (var writer = WavRecordingWriter.Create(wav))
        {
            writer.Write(0, Pcm.Ramp(0, Rate));
        }

        Assert.Equal(wav, _storage.AudioPath(id, RecordingTrack.Processed));
        Assert.Equal(RecordingFormat.Wav, _storage.FormatOf(id, RecordingTrack.Processed));
        Assert.Equal(Rate, _storage.Repair(id, RecordingTrack.Processed).Samples);
        using (var resumed = _storage.Resume(id, RecordingTrack.Processed, TimeProvider.System))
        {
            Assert.IsType<WavRecordingWriter>(resumed);
            resumed.Write(Rate, Pcm.Ramp(Rate, Rate));
            resumed.Complete();
        }
        using var reader = _storage.OpenReader(id, RecordingTrack.Processed);
        var samples = new short[reader.Samples];
        Assert.Equal(Rate * 2, reader.Read(samples));
        Assert.Equal(Pcm.RampValue(Rate * 2 - 1), samples[^1]);
        Assert.Equal(WavFormat.HeaderSize + (Rate * 4), _storage.SizeOf(id));
    }

    [Fact]
    public void Deleting_a_recording_removes_every_file_of_either_format()
    {
        var id = Guid.NewGuid();
        using (var writer = _storage.CreateWriter(id, RecordingTrack.Original, TimeProvider.System))
        {
            writer.Write(0, Speech.Pcm(0, Rate));
            writer.Complete();
        }
        File.WriteAllBytes(Path.Combine(_folder.Path, $"{id:D}.wav"), new byte[WavFormat.HeaderSize]);
        _storage.WritePeaks(id, RecordingTrack.Original);

        _storage.Delete(id);

        Assert.Empty(Directory.EnumerateFiles(_folder.Path, $"{id:D}*"));
    }
}
