using AudioStream.MediaService.Live;
using Microsoft.Extensions.Time.Testing;

namespace AudioStream.MediaService.Tests;

public sealed class RealTimeBudgetTests
{
    private const int Frame = MediaFrame.Samples20Ms;

    [Fact]
    public void A_sender_at_real_time_loses_nothing_over_an_hour()
    {
        var time = new FakeTimeProvider();
        var budget = new RealTimeBudget(time);

        for (int i = 0; i < 180_000; i++)
        {
            Assert.True(budget.TryAdmit(Frame));
            time.Advance(TimeSpan.FromMilliseconds(20));
        }

        Assert.Equal(0, budget.DroppedSamples);
    }

    [Fact]
    public void A_timestamp_jump_per_packet_fills_no_more_silence_than_the_time_that_passed()
    {
        var time = new FakeTimeProvider();
        var budget = new RealTimeBudget(time);
        long admitted = 0;

        // A hostile sender: every 20 ms packet claims 10 s of timeline, for 10 s of wall clock.
        for (int i = 0; i < 500; i++)
        {
            admitted += budget.AdmitSilence(10 * MediaFrame.SampleRate - Frame);
            admitted += budget.TryAdmit(Frame) ? Frame : 0;
            time.Advance(TimeSpan.FromMilliseconds(20));
        }

        long limit = (long)((10 + RealTimeBudget.Allowance.TotalSeconds) * MediaFrame.SampleRate);
        Assert.InRange(admitted, limit - 2 * Frame, limit);
        Assert.True(budget.DroppedSamples > 4000L * MediaFrame.SampleRate);
    }

    [Fact]
    public void A_burst_within_the_allowance_passes_and_beyond_it_whole_frames_are_dropped()
    {
        var time = new FakeTimeProvider();
        var budget = new RealTimeBudget(time);
        int allowanceFrames = (int)(RealTimeBudget.Allowance.TotalMilliseconds / 20);

        for (int i = 0; i < allowanceFrames; i++)
        {
            Assert.True(budget.TryAdmit(Frame));
        }

        Assert.False(budget.TryAdmit(Frame));
        Assert.Equal(Frame, budget.DroppedSamples);

        // Once time catches up, frames flow again.
        time.Advance(TimeSpan.FromMilliseconds(20));
        Assert.True(budget.TryAdmit(Frame));
    }

    [Fact]
    public void A_real_pause_is_filled_in_full_once_its_time_has_passed()
    {
        var time = new FakeTimeProvider();
        var budget = new RealTimeBudget(time);
        Assert.True(budget.TryAdmit(Frame));

        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(5 * MediaFrame.SampleRate, budget.AdmitSilence(5 * MediaFrame.SampleRate));
        Assert.Equal(0, budget.DroppedSamples);
    }
}
