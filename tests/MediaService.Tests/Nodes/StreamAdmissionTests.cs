using AudioStream.MediaService.Nodes;
using Microsoft.Extensions.Options;

namespace AudioStream.MediaService.Tests.Nodes;

public sealed class StreamAdmissionTests
{
    [Fact]
    public async Task Parallel_starts_never_take_more_slots_than_the_node_has()
    {
        var admission = new StreamAdmission(Options.Create(new MediaNodeOptions { MaxStreams = 16 }));
        using var go = new ManualResetEventSlim();
        var attempts = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            go.Wait();
            return Enumerable.Range(0, 100).Count(_ => admission.TryTake());
        })).ToList();
        go.Set();

        Assert.Equal(16, (await Task.WhenAll(attempts)).Sum());
        Assert.Equal(16, admission.Count);
    }

    [Fact]
    public void A_slot_given_back_can_be_taken_again()
    {
        var admission = new StreamAdmission(Options.Create(new MediaNodeOptions { MaxStreams = 1 }));
        Assert.True(admission.TryTake());
        Assert.False(admission.TryTake());

        admission.Release();

        Assert.Equal(0, admission.Count);
        Assert.True(admission.TryTake());
    }
}
