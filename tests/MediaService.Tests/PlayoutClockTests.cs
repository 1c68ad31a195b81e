using AudioStream.MediaService.Live;
using Microsoft.Extensions.Time.Testing;

namespace AudioStream.MediaService.Tests;

public class PlayoutClockTests
{
    private static readonly TimeSpan Planned = TimeSpan.FromMilliseconds(300);
    private static readonly float[] Quiet = new float[960];
    private static readonly float[] Loud = Enumerable.Repeat(0.3f, 960).ToArray();

    [Fact]
    public void Frames_on_time_play_at_arrival_plus_the_planned_delay_20_ms_apart()
    {
        var time = new FakeTimeProvider();
        var clock = new PlayoutClock(time, Planned);
        long first = time.GetTimestamp();
        for (int k = 0; k < 10; k++)
        {
            var frame = clock.Schedule(Frame(k, time.GetTimestamp(), Loud));
            Assert.Equal(Planned + TimeSpan.FromMilliseconds(20 * k), time.GetElapsedTime(first, frame.ReleaseTimestamp));
            time.Advance(TimeSpan.FromMilliseconds(20));
        }

        Assert.Equal(Planned, clock.Delay);
    }

    [Fact]
    public void A_late_frame_grows_the_delay_and_quiet_frames_later_bring_it_back_to_plan()
    {
        var time = new FakeTimeProvider();
        var clock = new PlayoutClock(time, Planned);
        var (arrivals, k) = (new List<long>(), 0);

        // A first inference so slow that nothing comes out for 800 ms (planned: 300), then 40 frames at once.
        for (; k < 40; k++)
        {
            arrivals.Add(time.GetTimestamp());
            time.Advance(TimeSpan.FromMilliseconds(20));
        }

        for (int i = 0; i < 40; i++)
        {
            Assert.False(clock.Schedule(Frame(i, arrivals[i], Loud)).SkipForListeners);
        }

        var grown = clock.Delay;
        Assert.InRange(grown.TotalMilliseconds, 790, 810);

        // Speech: nothing is skipped however much slack there is.
        k = Run(clock, time, k, 300, Loud, out int skipped);
        Assert.Equal(0, skipped);
        Assert.Equal(grown, clock.Delay);

        // Pauses: quiet frames are skipped, at most one in every 6, until the delay is back at the plan and no lower.
        Run(clock, time, k, 1500, Quiet, out skipped);
        Assert.Equal(Planned, clock.Delay);
        Assert.Equal(25, skipped);
        Assert.Equal(25, clock.FramesSkipped);
    }

    [Fact]
    public void No_catch_up_while_frames_are_ready_just_in_time()
    {
        var time = new FakeTimeProvider();
        var clock = new PlayoutClock(time, Planned);
        // Each frame comes out 280 ms after it arrived (slack 20 ms < one frame + guard), after a late start.
        var start = time.GetTimestamp();
        time.Advance(TimeSpan.FromMilliseconds(400));
        clock.Schedule(Frame(0, start, Quiet));
        for (int k = 1; k < 600; k++)
        {
            time.Advance(TimeSpan.FromMilliseconds(20));
            var frame = clock.Schedule(Frame(k, time.GetTimestamp() - Ticks(time, TimeSpan.FromMilliseconds(380)), Quiet));
            Assert.False(frame.SkipForListeners);
        }

        Assert.Equal(400, clock.Delay.TotalMilliseconds, 0.5);
    }

    private static int Run(PlayoutClock clock, FakeTimeProvider time, int from, int count, float[] samples, out int skipped)
    {
        skipped = 0;
        int lastSkip = -100;
        for (int k = from; k < from + count; k++)
        {
            var frame = clock.Schedule(Frame(k, time.GetTimestamp(), samples));
            if (frame.SkipForListeners)
            {
                Assert.True(k - lastSkip >= 6, $"skips at {lastSkip} and {k}");
                lastSkip = k;
                skipped++;
            }

            time.Advance(TimeSpan.FromMilliseconds(20));
        }

        return from + count;
    }

    private static MediaFrame Frame(int index, long arrival, float[] samples) =>
        new(samples, index * 960L, arrival, IsSilenceFill: false, arrival);

    private static long Ticks(TimeProvider time, TimeSpan span) => (long)(span.TotalSeconds * time.TimestampFrequency);
}
