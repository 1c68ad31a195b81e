using System.Text.Json;
using AudioStream.MediaService.Apis;
using AudioStream.MediaService.Live;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AudioStream.MediaService.Tests.Live;

public sealed class ListenerAdmissionTests
{
    private static readonly Guid Stream = Guid.NewGuid();

    [Fact]
    public void A_user_gets_three_sessions_at_once_by_default_and_a_fourth_once_one_is_given_back()
    {
        var admission = new ListenerAdmission(Options.Create(new ListenerLimits()));
        var user = Guid.NewGuid();
        var slots = Enumerable.Range(0, 3).Select(i => admission.TryAdmit(user, Stream, out _)).ToList();
        Assert.All(slots, Assert.NotNull);

        Assert.Null(admission.TryAdmit(user, Stream, out var refused));
        Assert.Equal(ListenerLimit.PerUser, refused);
        Assert.NotNull(admission.TryAdmit(Guid.NewGuid(), Stream, out _)); // someone else still may

        slots[0]!.Dispose();
        slots[0]!.Dispose(); // given back once only
        Assert.Equal(2, admission.CountOf(user));
        Assert.NotNull(admission.TryAdmit(user, Stream, out _));
        Assert.Null(admission.TryAdmit(user, Stream, out _));
    }

    [Fact]
    public void The_stream_and_node_limits_count_every_user()
    {
        var admission = new ListenerAdmission(Options.Create(new ListenerLimits { MaxPerStream = 2, MaxPerNode = 3 }));
        Assert.NotNull(admission.TryAdmit(Guid.NewGuid(), Stream, out _));
        Assert.NotNull(admission.TryAdmit(Guid.NewGuid(), Stream, out _));
        Assert.Null(admission.TryAdmit(Guid.NewGuid(), Stream, out var refused));
        Assert.Equal(ListenerLimit.PerStream, refused);

        var other = Guid.NewGuid();
        Assert.NotNull(admission.TryAdmit(Guid.NewGuid(), other, out _));
        Assert.Null(admission.TryAdmit(Guid.NewGuid(), other, out refused));
        Assert.Equal(ListenerLimit.PerNode, refused);
        Assert.Equal(3, admission.Count);
    }

    [Fact]
    public async Task Parallel_admissions_never_take_more_slots_than_a_limit_allows()
    {
        var admission = new ListenerAdmission(Options.Create(new ListenerLimits { MaxPerUser = 3, MaxPerStream = 40, MaxPerNode = 50 }));
        var users = Enumerable.Range(0, 32).Select(_ => Guid.NewGuid()).ToArray();
        var streams = new[] { Guid.NewGuid(), Guid.NewGuid() };
        using var start = new Barrier(8);
        var admitted = await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Factory.StartNew(
            () =>
            {
                start.SignalAndWait();
                var mine = new List<ListenerSlot>();
                for (int i = 0; i < 200; i++)
                {
                    if (admission.TryAdmit(users[(worker + i) % users.Length], streams[i % 2], out _) is { } slot)
                    {
                        mine.Add(slot);
                    }
                }

                return mine;
            },
            TaskCreationOptions.LongRunning)));

        var slots = admitted.SelectMany(s => s).ToList();
        Assert.Equal(50, slots.Count);
        Assert.Equal(50, admission.Count);
        Assert.All(slots.GroupBy(s => s.UserId), user => Assert.True(user.Count() <= 3));
        Assert.All(slots.GroupBy(s => s.StreamId), stream => Assert.True(stream.Count() <= 40));

        Parallel.ForEach(slots, slot => slot.Dispose());
        Assert.Equal(0, admission.Count);
        Assert.All(users, user => Assert.Equal(0, admission.CountOf(user)));
    }

    [Theory]
    [InlineData(ListenerLimit.PerUser, 429, "Media:Listeners:MaxPerUser", 3)]
    [InlineData(ListenerLimit.PerStream, 429, "Media:Listeners:MaxPerStream", 300)]
    [InlineData(ListenerLimit.PerNode, 503, "Media:Listeners:MaxPerNode", 500)]
    public async Task A_refused_listener_gets_problem_details_naming_the_limit_and_retry_after(ListenerLimit limit, int status, string name, int max)
    {
        var context = new DefaultHttpContext
        {
            RequestServices = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider(),
        };
        context.Response.Body = new MemoryStream();

        await WebRtcApi.ListenerLimitProblem(context, new ListenerLimits(), limit).ExecuteAsync(context);

        Assert.Equal(status, context.Response.StatusCode);
        Assert.Equal("10", context.Response.Headers.RetryAfter.ToString());
        Assert.Equal("application/problem+json", context.Response.ContentType);
        context.Response.Body.Position = 0;
        var problem = await JsonDocument.ParseAsync(context.Response.Body);
        Assert.Equal(name, problem.RootElement.GetProperty("limit").GetString());
        Assert.Equal(max, problem.RootElement.GetProperty("max").GetInt32());
        Assert.Contains(max.ToString(System.Globalization.CultureInfo.InvariantCulture), problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
