using AudioStream.MediaService.Denoising.Streaming;
using AudioStream.MediaService.Denoising.Tests.Support;
using Xunit.Abstractions;

namespace AudioStream.MediaService.Denoising.Tests.Streaming;

public sealed class StreamingQualityTests(EngineFixture fixture, ITestOutputHelper output) : IClassFixture<EngineFixture>
{
    public static TheoryData<string> Clips => new(TestAssets.Clips);

    [SkippableTheory]
    [MemberData(nameof(Clips))]
    public async Task Chunked_streaming_output_matches_whole_file_quality(string clip)
    {
        var settings = ChunkSettings.Default;
        await using var denoiser = new ChunkedStreamDenoiser(fixture.Engine, settings.WithRoomyQueue());
        var (snr, wholeSnr, attenuation, length, inputLength) = await MeasureAsync(clip, denoiser,
            $"chunk {settings.ChunkSeconds} s overlap {settings.OverlapSeconds} s context {settings.ContextSeconds} s");

        Assert.Equal(inputLength, length);
        Assert.True(snr >= wholeSnr - 1, $"streaming SNR {snr:F2} dB more than 1 dB below whole-file {wholeSnr:F2} dB");
        Assert.True(attenuation >= 18, $"noise attenuation {attenuation:F1} dB below 18 dB");
    }

    [SkippableTheory]
    [MemberData(nameof(Clips))]
    public async Task Frame_by_frame_streaming_keeps_the_quality_gates_of_the_whole_file_path(string clip)
    {
        await using var denoiser = fixture.StatefulStream();
        var (snr, wholeSnr, attenuation, length, inputLength) = await MeasureAsync(clip, denoiser, "frame by frame");

        Assert.Equal(inputLength, length);
        Assert.True(snr >= wholeSnr - 0.05, $"frame-by-frame SNR {snr:F2} dB below whole-file {wholeSnr:F2} dB");
        Assert.True(attenuation >= 18, $"noise attenuation {attenuation:F1} dB below 18 dB");
    }

    [SkippableTheory]
    [MemberData(nameof(Clips))]
    public async Task Chunk_joins_leave_no_discontinuity(string clip)
    {
        var settings = ChunkSettings.Default.WithRoomyQueue();
        var noisy = fixture.Clip(clip, "noisy.wav");
        await using var denoiser = new ChunkedStreamDenoiser(fixture.Engine, settings);
        var denoised = await StreamRunner.RunAsync(denoiser, noisy);

        const int SampleRate = 48_000;
        var hop = settings.ChunkSamples(SampleRate) - settings.OverlapSamples(SampleRate);
        var near = SampleRate * 5 / 1000;
        var isNearJoin = new bool[denoised.Length];
        for (long join = hop; join < denoised.Length; join += hop)
        {
            // A chunk's contribution starts where the next chunk fades in and stops where the previous one has faded out.
            foreach (var edge in (ReadOnlySpan<long>)[join, join + settings.OverlapSamples(SampleRate)])
            {
                var from = (int)Math.Clamp(edge - near, 0, denoised.Length);
                var to = (int)Math.Clamp(edge + near, 0, denoised.Length);
                Array.Fill(isNearJoin, true, from, to - from);
            }
        }

        double nearJoins = 0, elsewhere = 0;
        for (var i = 1; i < denoised.Length; i++)
        {
            var step = Math.Abs(denoised[i] - denoised[i - 1]);
            if (isNearJoin[i])
            {
                nearJoins = Math.Max(nearJoins, step);
            }
            else
            {
                elsewhere = Math.Max(elsewhere, step);
            }
        }

        output.WriteLine($"{clip}: largest step near joins {nearJoins:F4}, elsewhere {elsewhere:F4}");
        Assert.True(nearJoins <= elsewhere, $"step {nearJoins:F4} near a join exceeds {elsewhere:F4} elsewhere");
    }

    private async Task<(double Snr, double WholeSnr, double Attenuation, int Length, int InputLength)> MeasureAsync(
        string clip, IStreamDenoiser denoiser, string description)
    {
        var noisy = fixture.Clip(clip, "noisy.wav");
        var reference = fixture.Clip(clip, "df2_pf.wav");
        var denoised = await StreamRunner.RunAsync(denoiser, noisy);

        var wholeSnr = Quality.Snr(reference, fixture.WholeFile(clip));
        var snr = Quality.Snr(reference, denoised);
        var attenuation = Quality.NoiseAttenuation(noisy, reference, denoised);
        output.WriteLine($"{clip} {description}: SNR {snr:F2} dB (whole file {wholeSnr:F2}), attenuation {attenuation:F1} dB");
        return (snr, wholeSnr, attenuation, denoised.Length, noisy.Length);
    }
}
