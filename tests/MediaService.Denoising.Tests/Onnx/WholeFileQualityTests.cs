using AudioStream.MediaService.Denoising.Tests.Support;
using Xunit.Abstractions;

namespace AudioStream.MediaService.Denoising.Tests.Onnx;

public sealed class WholeFileQualityTests(EngineFixture fixture, ITestOutputHelper output) : IClassFixture<EngineFixture>
{
    [SkippableTheory]
    [InlineData("dns-01", 27.0)]
    [InlineData("dns-02", 13.0)]
    [InlineData("dns-03", 15.5)]
    public void Whole_file_output_matches_the_official_output_and_removes_noise(string clip, double minSnr)
    {
        var noisy = fixture.Clip(clip, "noisy.wav");
        var reference = fixture.Clip(clip, "df2_pf.wav");
        var denoised = fixture.WholeFile(clip);

        var snr = Quality.Snr(reference, denoised);
        var attenuation = Quality.NoiseAttenuation(noisy, reference, denoised);
        output.WriteLine($"provider {fixture.Engine.Provider}");
        output.WriteLine($"{clip}: SNR {snr:F2} dB, noise attenuation {attenuation:F1} dB");

        Assert.Equal(noisy.Length, denoised.Length);
        Assert.True(snr >= minSnr, $"SNR {snr:F2} dB below {minSnr} dB");
        Assert.True(attenuation >= 18, $"noise attenuation {attenuation:F1} dB below 18 dB");
    }
}
