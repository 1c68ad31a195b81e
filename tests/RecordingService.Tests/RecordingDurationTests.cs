using AudioStream.RecordingService.Model;

namespace AudioStream.RecordingService.Tests;

public sealed class RecordingDurationTests
{
    [Theory]
    [InlineData(0, "00:00")]
    [InlineData(59.9, "00:59")]
    [InlineData(61.5, "01:01")]
    [InlineData(3599.99, "59:59")]
    [InlineData(3600, "1:00:00")]
    [InlineData(36_000 + 62, "10:01:02")]
    public void Durations_are_minutes_and_seconds_and_hours_from_an_hour_on(double seconds, string expected) =>
        Assert.Equal(expected, RecordingResponse.FormatDuration(seconds));
}
