using AudioStream.Gateway.Media;

namespace AudioStream.Gateway.Tests;

/// <summary>Which node a media request goes to: placement of new streams, and what each public path is about.</summary>
public sealed class MediaRoutingChoiceTests
{
    [Fact]
    public void A_new_stream_goes_to_a_gpu_node_with_room_before_any_cpu_node_however_free()
    {
        MediaNode[] nodes =
        [
            new("cpu-idle", "http://a", Gpu: false, Streams: 0, Capacity: 16, Serving: true),
            new("gpu-busy", "http://b", Gpu: true, Streams: 30, Capacity: 32, Serving: true),
        ];
        Assert.Equal("gpu-busy", MediaPlacement.Choose(nodes)?.Id);
    }

    [Fact]
    public void Among_equals_the_node_with_the_most_free_capacity_wins()
    {
        MediaNode[] nodes =
        [
            new("media", "http://a", Gpu: false, Streams: 10, Capacity: 16, Serving: true),
            new("media-2", "http://b", Gpu: false, Streams: 9, Capacity: 12, Serving: true),
            new("media-3", "http://c", Gpu: false, Streams: 4, Capacity: 16, Serving: true),
        ];
        Assert.Equal("media-3", MediaPlacement.Choose(nodes)?.Id);
    }

    [Fact]
    public void Draining_and_full_nodes_take_no_new_stream_and_when_all_are_so_there_is_no_choice()
    {
        MediaNode[] nodes =
        [
            new("draining", "http://a", Gpu: true, Streams: 0, Capacity: 16, Serving: false),
            new("full", "http://b", Gpu: false, Streams: 16, Capacity: 16, Serving: true),
            new("over", "http://c", Gpu: false, Streams: 20, Capacity: 16, Serving: true),
        ];
        Assert.Null(MediaPlacement.Choose(nodes));
        Assert.Equal("spare", MediaPlacement.Choose([.. nodes, new("spare", "http://d", Gpu: false, Streams: 15, Capacity: 16, Serving: true)])?.Id);
    }

    [Theory]
    [InlineData("POST", "/api/media/streams", MediaRequestKind.Place, null)]
    [InlineData("POST", "/api/media/streams/", MediaRequestKind.Place, null)]
    [InlineData("POST", "/api/media/whip", MediaRequestKind.Place, null)]
    [InlineData("DELETE", "/api/media/streams/current", MediaRequestKind.Current, null)]
    [InlineData("GET", "/api/media/streams/alice", MediaRequestKind.Owner, "alice")]
    [InlineData("POST", "/api/media/whep/Bob.B", MediaRequestKind.Owner, "Bob.B")]
    [InlineData("DELETE", "/api/media/whep/bob/9b2f6d55-0f7e-4d8e-9a51-3f1b1b3f0a11", MediaRequestKind.Owner, "bob")]
    [InlineData("PUT", "/api/media/whep/bob/9b2f6d55-0f7e-4d8e-9a51-3f1b1b3f0a11/track", MediaRequestKind.Owner, "bob")]
    [InlineData("GET", "/api/media/ice-servers", MediaRequestKind.Any, null)]
    [InlineData("POST", "/api/media/keys", MediaRequestKind.Any, null)]
    [InlineData("GET", "/api/media/health", MediaRequestKind.Any, null)]
    [InlineData("GET", "/api/media/streams", MediaRequestKind.Any, null)]
    [InlineData("POST", "/api/media/whip/not-a-session", MediaRequestKind.Any, null)]
    public void Each_media_path_names_what_it_is_routed_by(string method, string path, MediaRequestKind kind, string? owner)
    {
        var request = MediaRequest.Classify(method, path);
        Assert.Equal(kind, request.Kind);
        Assert.Equal(owner, request.Owner);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    public void Whip_requests_for_a_session_go_by_its_id(string method)
    {
        var session = Guid.NewGuid();
        var request = MediaRequest.Classify(method, $"/api/media/whip/{session}/{Guid.NewGuid()}");
        Assert.Equal(MediaRequestKind.Session, request.Kind);
        Assert.Equal(session, request.Session);
        Assert.Equal(session, MediaRequest.Classify(method, $"/api/media/whip/{session}").Session);
    }
}
